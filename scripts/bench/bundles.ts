import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { esbuildOptionsFor, LAMBDA_ONLY_EXTERNALS } from '#infra/constructs/bundling';
import { functionDefinitions, type FunctionDefinition } from '#shared/model/functions';
import { SETTING_NAMES, type SettingName } from '#shared/model/settings';
import { tables } from '#shared/model/tables';
import { percentile } from './environment';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The target for every function bundle (issue 20): at most this many times the DynamoDB-client baseline
 * of the same run (`YARDSTICK`), in size and in cold import time; health, openapi and notFound far below.
 */
export const BUNDLE_TARGET_RATIO = 1.5;
/** The baseline the target is a multiple of: the DynamoDB client as it comes, every credential provider in it. */
export const YARDSTICK = 'baseline: client-dynamodb + lib-dynamodb';

export interface PackageShare {
  /** `aws-sdk: @aws-sdk/client-dynamodb`-style: a package under node_modules, or `app` for this repository's code. */
  name: string;
  bytes: number;
  share: number;
}

export interface BundleRow {
  /** The function's id (route id, `notFound`, `authorizer`, `aggregator`, `reminders`), or a baseline. */
  name: string;
  /** Entry relative to the repository root; empty for a baseline. */
  entry: string;
  /** Not a function of the app: a baseline, or a what-if. */
  baseline: boolean;
  /**
   * A what-if (its name begins `what-if:`): the house floor with one part changed, to show what the change
   * would give. Not a bundle of ours; `baseline` is true too, so whatever skips baselines skips it.
   */
  whatIf?: boolean;
  bytes: number;
  gzipBytes: number;
  importRunsMs: number[];
  importP50Ms: number;
  importMinMs: number;
  /** CPU time of the child over the import (user + system, every thread), p50. */
  importCpuP50Ms: number;
  /** The same import with `--enable-source-maps`, as the house function sets in NODE_OPTIONS. */
  importSourceMapsP50Ms: number;
  /** Size and cold import p50 as multiples of the yardstick baseline's. */
  bytesRatio: number;
  importRatio: number;
  /** Import CPU p50 as a multiple of the yardstick's: steadier than wall time when other work shares the cores. */
  importCpuRatio?: number;
  withinTarget: boolean;
  topPackages: PackageShare[];
}

export interface BundleResults {
  /** `BUNDLE_TARGET_RATIO` times the yardstick's size and import p50 in this run. */
  target: { bytes: number; importMs: number; ratio: number; baseline: string };
  runs: number;
  node: string;
  /** 1-minute load average when the imports began and ended: other work on the cores inflates wall times. */
  loadAverage: { start: number; end: number };
  rows: BundleRow[];
  /** The largest function bundle, and what is in it (by bytes in the minified output). */
  largest: { name: string; packages: PackageShare[]; files: PackageShare[] };
}

interface Subject {
  name: string;
  entry: string;
  baseline: boolean;
  whatIf?: boolean;
  /** Absolute path of the file to bundle. */
  file: string;
  /** Bundled with every module the house bundling leaves external (the yardstick: the client as it comes). */
  bundleExternals?: boolean;
}

/** Every function of the app, as `shared/model/functions.ts` defines them. */
export function functionEntries(): { name: string; entry: string; definition: FunctionDefinition }[] {
  return functionDefinitions.map((definition) => ({ name: definition.id, entry: definition.handler, definition }));
}

/**
 * What Lambda gives a function, and no more: the platform's own variables, the house defaults, and the
 * function's declared tables and settings (as dummies: nothing is called, so nothing needs to exist).
 * The parent's environment is not passed on (no NODE_OPTIONS from tsx, no local endpoints). Without a
 * definition: every table and setting (the benchmark's import timing).
 */
export function importEnvironment(definition?: FunctionDefinition): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // What Lambda sets, so Powertools and the SDK take their Lambda paths (the tracer is on, as deployed).
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: definition?.id ?? 'bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition?.memoryMb ?? 512),
    AWS_REGION: 'eu-west-2',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'capacity-tracker',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: 'CapacityTracker',
  };
  const dummies: Record<SettingName, string> = {
    JWT_ISSUER: 'https://issuer.bench.invalid',
    JWT_AUDIENCE: 'bench',
    JWKS_URL: 'https://issuer.bench.invalid/.well-known/jwks.json',
    REMINDER_FROM_ADDRESS: 'bench@reminders.invalid',
    WEB_BASE_URL: 'https://web.bench.invalid',
    UPDATE_LINK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:bench',
    CQC_API_BASE_URL: 'https://cqc.bench.invalid/public/v1',
    CQC_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:000000000000:secret:bench-cqc',
    USER_POOL_ID: 'eu-west-2_Bench1',
    EXPORTS_BUCKET: 'bench-exports',
    EXPORT_WORKER_FUNCTION: 'bench-export-worker',
  };
  for (const name of definition ? definition.settings : SETTING_NAMES) env[name] = dummies[name];
  for (const [id, table] of Object.entries(tables)) {
    if (!definition || id in definition.tables) env[table.envVar] = `bench-${id}`;
  }
  return env;
}

/**
 * The child: time one dynamic import of the bundle, nothing before or after it. Wall time is the figure
 * held against the target; the process's CPU time over the same span is kept too, as it moves less when
 * other work shares the cores.
 */
const CHILD = `
const url = process.argv[1];
const cpu = process.cpuUsage();
const start = performance.now();
try {
  await import(url);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000 }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: String(error && error.stack || error) }));
}
process.exit(0);
`;

export interface ImportTime {
  ms: number;
  cpuMs: number;
}

export function timeImport(file: string, env: NodeJS.ProcessEnv, sourceMaps: boolean): Promise<ImportTime> {
  return new Promise((resolveTime, reject) => {
    const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', CHILD, pathToFileURL(file).href];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const result = JSON.parse(out) as { ms?: number; cpuMs?: number; error?: string };
        if (result.ms === undefined || result.cpuMs === undefined) throw new Error(result.error);
        resolveTime({ ms: result.ms, cpuMs: result.cpuMs });
      } catch (error) {
        reject(new Error(`importing ${file} failed: ${String(error)}\n${err}`));
      }
    });
  });
}

/** `@scope/name` or `name` for a file under node_modules, `app` for the repository's own code. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'app (shared/, functions/)';
  const [first = '', second = ''] = input.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

function contributions(metafile: Metafile, outfile: string, key: (input: string) => string, top: number): PackageShare[] {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(path) === resolve(outfile))?.[1];
  if (!output) return [];
  const totals = new Map<string, number>();
  let all = 0;
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    totals.set(key(input), (totals.get(key(input)) ?? 0) + bytesInOutput);
    all += bytesInOutput;
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => ({ name, bytes, share: bytes / all }));
}

/**
 * What every data route is made of before its own code: shared/runtime/powertools.ts and dynamodb.ts,
 * shared/http/handler.ts's middleware, and a zod schema to validate with. The what-ifs change one part:
 * no X-Ray SDK (the Powertools tracer not imported: no client capture, no handler segment of its own;
 * Lambda's active tracing alone would still record each invocation), or the same schema in `zod/mini`
 * (zod 4's tree-shakable API: functions in place of methods, `.check(z.regex(...))` for `.regex(...)`).
 */
export function floorSource(options: { tracer: boolean; zod: 'zod' | 'zod/mini' }): string {
  const { tracer } = options;
  const mini = options.zod === 'zod/mini';
  const client = 'new DynamoDBClient({ maxAttempts: 4 })';
  return [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    ...(tracer ? ["import { Tracer } from '@aws-lambda-powertools/tracer';", "import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';"] : []),
    "import middy from '@middy/core';",
    "import httpHeaderNormalizer from '@middy/http-header-normalizer';",
    `import * as z from '${options.zod}';`,
    "const logger = new Logger({ serviceName: 'bench' });",
    "const metrics = new Metrics({ serviceName: 'bench', namespace: 'Bench' });",
    ...(tracer ? ["const tracer = new Tracer({ serviceName: 'bench' });"] : []),
    `export const dynamo = DynamoDBDocumentClient.from(${tracer ? `tracer.captureAWSv3Client(${client})` : client}, { marshallOptions: { removeUndefinedValues: true } });`,
    mini ? 'const Path = z.object({ locationId: z.string().check(z.regex(/^1-[0-9]{8,11}$/)) });' : 'const Path = z.object({ locationId: z.string().regex(/^1-[0-9]{8,11}$/) });',
    `export const handler = middy()${tracer ? '.use(captureLambdaHandler(tracer, { captureResponse: false }))' : ''}.use(injectLambdaContext(logger)).use(httpHeaderNormalizer())`,
    '  .handler(async (event) => { metrics.addMetric("Bench", "Count", 1); return { statusCode: 200, body: JSON.stringify(Path.parse(event.pathParameters)) }; });',
    '',
  ].join('\n');
}

/** The house floor's row: what a data route pays before any code of its own. */
export const HOUSE_FLOOR = 'baseline: house floor (client + Powertools + middy + zod)';

/**
 * Bundles every function exactly as the CDK app does (the shared options in infra/constructs/bundling.ts),
 * records the size of each `index.mjs` (minified, without the map) and gzipped, and times a dynamic
 * import of it in a fresh `node` process: `runs` processes per bundle, taken round-robin so background
 * load falls on every bundle alike. Baselines are measured the same way in the same run:
 *
 * - an empty ESM module: the floor a fresh process gives;
 * - the DynamoDB client and document client as they come, every credential provider bundled (the
 *   yardstick the target is a multiple of, as the issue measured it);
 * - the same client with the house bundling, which leaves the credential providers a function never
 *   reaches out (`LAMBDA_ONLY_EXTERNALS`): what every data function pays for the client;
 * - the house floor: that client captured by the Powertools tracer, the Powertools logger and metrics,
 *   middy with the header normaliser, and zod: what a data route pays before any code of its own
 *   (`floorSource`).
 *
 * Then the what-ifs, the house floor with one thing changed (no X-Ray SDK; `zod/mini` for `zod`; both),
 * measured the same way: what each change would take off every data route. Not bundles of ours.
 */
export async function benchBundles(runs = process.env.BENCH_QUICK ? 3 : 9): Promise<BundleResults> {
  const work = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const baselineDir = join(work, 'baseline-src');
    const emptyFile = join(baselineDir, 'empty.mjs');
    const sdkFile = join(baselineDir, 'sdk.mjs');
    mkdirSync(baselineDir, { recursive: true });
    const floorFile = join(baselineDir, 'floor.mjs');
    writeFileSync(emptyFile, 'export {};\n');
    // Built as shared/runtime/dynamodb.ts builds its client, without the tracer.
    writeFileSync(
      sdkFile,
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\n" +
        'export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 4 }), { marshallOptions: { removeUndefinedValues: true } });\n',
    );
    writeFileSync(floorFile, floorSource({ tracer: true, zod: 'zod' }));
    const whatIfs = [
      { name: 'what-if: house floor without the X-Ray SDK (no Powertools tracer)', tracer: false, zod: 'zod' },
      { name: 'what-if: house floor with zod/mini for zod', tracer: true, zod: 'zod/mini' },
      { name: 'what-if: house floor without the X-Ray SDK, with zod/mini', tracer: false, zod: 'zod/mini' },
    ] as const;
    const whatIfSubjects: Subject[] = whatIfs.map(({ name, tracer, zod }, i) => {
      const file = join(baselineDir, `what-if-${i}.mjs`);
      writeFileSync(file, floorSource({ tracer, zod }));
      return { name, entry: '', baseline: true, whatIf: true, file };
    });
    const subjects: Subject[] = [
      { name: 'baseline: empty ESM module', entry: '', baseline: true, file: emptyFile },
      { name: YARDSTICK, entry: '', baseline: true, file: sdkFile, bundleExternals: true },
      { name: 'baseline: the same client, house bundling', entry: '', baseline: true, file: sdkFile },
      { name: HOUSE_FLOOR, entry: '', baseline: true, file: floorFile },
      ...whatIfSubjects,
      ...functionEntries().map(({ name, entry }) => ({ name, entry, baseline: false, file: join(repoRoot, entry) })),
    ];

    const built: { subject: Subject; outfile: string; bytes: number; gzipBytes: number; metafile: Metafile }[] = [];
    for (const [i, subject] of subjects.entries()) {
      process.stderr.write(`\rbundling ${i + 1}/${subjects.length} ${subject.name}`.padEnd(70));
      const options = esbuildOptionsFor(subject.file, join(work, `out-${i}`));
      const result = await build({
        ...options,
        ...(subject.bundleExternals ? { external: (options.external ?? []).filter((name) => !(LAMBDA_ONLY_EXTERNALS as readonly string[]).includes(name)) } : {}),
        metafile: true,
        // The baselines live outside the repository; let them find its node_modules.
        ...(subject.baseline ? { nodePaths: [join(repoRoot, 'node_modules')] } : {}),
      });
      const code = readFileSync(options.outfile);
      built.push({ subject, outfile: options.outfile, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength, metafile: result.metafile });
    }
    process.stderr.write('\n');

    const env = importEnvironment();
    const times = built.map(() => ({ plain: [] as number[], cpu: [] as number[], sourceMaps: [] as number[] }));
    const loadStart = loadavg()[0]!;
    const total = runs * built.length;
    for (let run = 0; run < runs; run++) {
      for (const [i, bundle] of built.entries()) {
        process.stderr.write(`\rcold imports: run ${run + 1}/${runs}, ${i + 1}/${built.length} ${bundle.subject.name}`.padEnd(80) + ` ${run * built.length + i + 1}/${total}`);
        const plain = await timeImport(bundle.outfile, env, false);
        times[i]!.plain.push(plain.ms);
        times[i]!.cpu.push(plain.cpuMs);
        times[i]!.sourceMaps.push((await timeImport(bundle.outfile, env, true)).ms);
      }
    }
    process.stderr.write('\n');

    const yardstickIndex = built.findIndex(({ subject }) => subject.name === YARDSTICK);
    const yardstick = { bytes: built[yardstickIndex]!.bytes, importMs: percentile(times[yardstickIndex]!.plain, 50), cpuMs: percentile(times[yardstickIndex]!.cpu, 50) };
    // Whole KB and ms: the figure a reader compares against, and no finer than the measurement.
    const target = {
      bytes: 1024 * Math.round((BUNDLE_TARGET_RATIO * yardstick.bytes) / 1024),
      importMs: Math.round(BUNDLE_TARGET_RATIO * yardstick.importMs),
      ratio: BUNDLE_TARGET_RATIO,
      baseline: YARDSTICK,
    };
    const rows: BundleRow[] = built.map(({ subject, bytes, gzipBytes, metafile, outfile }, i) => {
      const importP50Ms = percentile(times[i]!.plain, 50);
      return {
        name: subject.name,
        entry: subject.entry,
        baseline: subject.baseline,
        ...(subject.whatIf ? { whatIf: true } : {}),
        bytes,
        gzipBytes,
        importRunsMs: times[i]!.plain,
        importP50Ms,
        importMinMs: Math.min(...times[i]!.plain),
        importCpuP50Ms: percentile(times[i]!.cpu, 50),
        importSourceMapsP50Ms: percentile(times[i]!.sourceMaps, 50),
        bytesRatio: bytes / yardstick.bytes,
        importRatio: importP50Ms / yardstick.importMs,
        importCpuRatio: percentile(times[i]!.cpu, 50) / yardstick.cpuMs,
        withinTarget: bytes <= target.bytes && importP50Ms <= target.importMs,
        topPackages: contributions(metafile, outfile, packageOf, 3),
      };
    });
    const largestIndex = built.reduce((best, b, i) => (!b.subject.baseline && (best < 0 || b.bytes > built[best]!.bytes) ? i : best), -1);
    const largest = built[largestIndex]!;
    return {
      target,
      runs,
      node: process.version,
      loadAverage: { start: loadStart, end: loadavg()[0]! },
      rows,
      largest: {
        name: largest.subject.name,
        packages: contributions(largest.metafile, largest.outfile, packageOf, 15),
        files: contributions(largest.metafile, largest.outfile, (input) => relative(repoRoot, resolve(input)), 15),
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

/** The section's markdown, as `npm run bench` prints it. */
export function bundlesMarkdown(results: BundleResults): string {
  const { target } = results;
  const lines = [
    `## Function bundles (minified ESM as deployed; cold import p50 of ${results.runs} fresh \`node\` processes, ${results.node})\n`,
    `Target: each bundle ≤ ${target.ratio}× the ${target.baseline.replace(/^baseline: /, '')} baseline of this run in size and cold import p50 ` +
      `(≤ ${target.bytes / 1024} KB, ≤ ${target.importMs} ms). KB = 1024 bytes; gzip at the default level. ` +
      `Load average ${results.loadAverage.start.toFixed(1)} → ${results.loadAverage.end.toFixed(1)} on ${cpus().length} cores during the imports.\n`,
    '| function | entry | size (KB) | gzip (KB) | cold import p50 (ms) | import CPU p50 (ms) | with --enable-source-maps p50 (ms) | size, import ÷ yardstick | vs target |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    const verdict = row.whatIf
      ? 'what-if (not a bundle of ours)'
      : row.baseline
      ? 'baseline'
      : [
          row.bytes <= target.bytes ? 'size ok' : `size ×${(row.bytes / target.bytes).toFixed(2)}`,
          row.importP50Ms <= target.importMs ? 'import ok' : `import ×${(row.importP50Ms / target.importMs).toFixed(2)}`,
        ].join(', ');
    lines.push(
      `| ${row.baseline ? `*${row.name}*` : row.name} | ${row.entry ? `\`${row.entry}\`` : ''} | ${kb(row.bytes)} | ${kb(row.gzipBytes)} | ${row.importP50Ms.toFixed(0)} | ${row.importCpuP50Ms.toFixed(0)} | ${row.importSourceMapsP50Ms.toFixed(0)} | ${row.bytesRatio.toFixed(2)}, ${row.importRatio.toFixed(2)} | ${verdict} |`,
    );
  }
  const floor = results.rows.find((row) => row.name === HOUSE_FLOOR);
  const whatIfs = results.rows.filter((row) => row.whatIf);
  if (floor && whatIfs.length > 0) {
    lines.push('\nWhat each what-if takes off the house floor (differences of this run; ratios are of the yardstick):\n');
    lines.push('| what-if | size (KB) | size ratio | cold import p50 (ms) | import ratio | import CPU p50 (ms) | import CPU ratio |', '|---|---|---|---|---|---|---|');
    const signed = (value: number, digits: number) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(digits)}`;
    for (const row of whatIfs) {
      lines.push(
        `| ${row.name.replace(/^what-if: /, '')} | ${signed((row.bytes - floor.bytes) / 1024, 1)} | ${signed(row.bytesRatio - floor.bytesRatio, 2)} | ${signed(row.importP50Ms - floor.importP50Ms, 0)} | ${signed(row.importRatio - floor.importRatio, 2)} | ${signed(row.importCpuP50Ms - floor.importCpuP50Ms, 0)} | ${signed((row.importCpuRatio ?? 0) - (floor.importCpuRatio ?? 0), 2)} |`,
      );
    }
  }
  lines.push(`\nWhat is in the largest bundle (\`${results.largest.name}\`), by bytes of minified output:\n`);
  lines.push('| package | KB | share |', '|---|---|---|');
  for (const p of results.largest.packages) lines.push(`| ${p.name} | ${kb(p.bytes)} | ${(p.share * 100).toFixed(1)}% |`);
  lines.push('\n| file | KB | share |', '|---|---|---|');
  for (const p of results.largest.files) lines.push(`| \`${p.name}\` | ${kb(p.bytes)} | ${(p.share * 100).toFixed(1)}% |`);
  return lines.join('\n');
}
