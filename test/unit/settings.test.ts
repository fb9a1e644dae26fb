import { describe, expect, test } from 'vitest';
import { authorizerFunction, cqcSyncFunction, functionById, functionDefinitions, reminderFunction } from '#shared/model/functions';
import { tables } from '#shared/model/tables';
import { runWithEnvironment, setting, tableName } from '#shared/runtime/settings';
import { functionEnvironment } from '#scripts/local/lambda-runtime';

describe('settings, read at first use', () => {
  test('a function reads the tables and settings it was given', () => {
    expect(runWithEnvironment('getLocation', { LOCATIONS_TABLE: 'ct-locations' }, () => tableName('locations'))).toBe('ct-locations');
    expect(runWithEnvironment('reminders', { WEB_BASE_URL: 'https://ct.example' }, () => setting('WEB_BASE_URL'))).toBe('https://ct.example');
  });

  test('anything it was not given fails with the variable, the function and where to declare it', () => {
    expect(() => runWithEnvironment('getLocation', {}, () => tableName('aggregates'))).toThrow(
      'AGGREGATES_TABLE is not set for getLocation: declare it for the function in shared/model/functions.ts (its tables)',
    );
    expect(() => runWithEnvironment('putReturn', {}, () => setting('WEB_BASE_URL'))).toThrow(/WEB_BASE_URL is not set for putReturn/);
  });

  test('a value that fails its check is refused, naming what it is for', () => {
    expect(() => runWithEnvironment('reminders', { WEB_BASE_URL: 'localhost' }, () => setting('WEB_BASE_URL'))).toThrow(/WEB_BASE_URL \(reminders\) is not valid: where the web pages are served/);
    expect(() => runWithEnvironment('reminders', { REMINDER_FROM_ADDRESS: 'nobody' }, () => setting('REMINDER_FROM_ADDRESS'))).toThrow(/is not valid/);
  });
});

describe('the local runtime gives each function what the CDK app would, and nothing else', () => {
  const pool = {
    ...Object.fromEntries(Object.values(tables).map((table) => [table.envVar, `local-${table.envVar}`])),
    JWT_ISSUER: 'issuer',
    JWT_AUDIENCE: 'audience',
    JWKS_URL: 'http://127.0.0.1:1/jwks',
    UPDATE_LINK_SECRET: 'k'.repeat(48),
    WEB_BASE_URL: 'http://localhost:3000',
    REMINDER_FROM_ADDRESS: 'ct@reminders.example',
    CQC_API_BASE_URL: 'http://127.0.0.1:1/public/v1',
    CQC_API_KEY_FILE: '/tmp/cqc-api-key',
    LOCAL_USER_DIRECTORY: 'users-table',
    SOMETHING_ELSE: 'x',
  };

  test('the authorizer: the revocations and users tables, the issuer settings and the update-link key (inline locally)', () => {
    expect(Object.keys(functionEnvironment(authorizerFunction, pool)).sort()).toEqual(['JWKS_URL', 'JWT_AUDIENCE', 'JWT_ISSUER', 'REVOCATIONS_TABLE', 'UPDATE_LINK_SECRET', 'USERS_TABLE']);
  });

  test('every function: exactly its tables and settings', () => {
    for (const definition of functionDefinitions) {
      const given = Object.keys(functionEnvironment(definition, pool)).sort();
      const declared = [
        ...Object.keys(definition.tables).map((id) => tables[id as keyof typeof tables].envVar),
        ...definition.settings.map((name) => ({ UPDATE_LINK_SECRET_ARN: 'UPDATE_LINK_SECRET', CQC_API_KEY_SECRET_ARN: 'CQC_API_KEY_FILE', USER_POOL_ID: 'LOCAL_USER_DIRECTORY' })[name as string] ?? name),
      ].sort();
      expect(given, definition.id).toEqual(declared);
    }
    expect(functionEnvironment(functionById('putReturn'), pool)).not.toHaveProperty('AGGREGATES_TABLE');
    expect(Object.keys(functionEnvironment(reminderFunction, pool))).toContain('WEB_BASE_URL');
  });

  test('the CQC sync: the directory, the areas and its checkpoint, the API, and the file holding its key (the secret in AWS)', () => {
    expect(functionEnvironment(cqcSyncFunction, pool)).toEqual({
      LOCATIONS_TABLE: 'local-LOCATIONS_TABLE',
      AREAS_TABLE: 'local-AREAS_TABLE',
      SYNC_CHECKPOINTS_TABLE: 'local-SYNC_CHECKPOINTS_TABLE',
      CQC_API_BASE_URL: 'http://127.0.0.1:1/public/v1',
      CQC_API_KEY_FILE: '/tmp/cqc-api-key',
    });
  });
});
