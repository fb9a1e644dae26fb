import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/dynamodb-local.ts'],
    // Workers are forked after the global setup, so they inherit the DynamoDB Local endpoint and table names.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
