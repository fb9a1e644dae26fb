import '../local/process-defaults';

/**
 * The export worker in a process of its own, for `scripts/bench/export-jobs.ts`: one `runExportJob` of
 * the job BENCH_EXPORT_ID (made by the bench with `putExportJob`), so that this process's memory is the
 * worker's alone. The bench bundles this file as the functions are bundled (`esbuildOptionsFor`) and
 * runs it with plain `node --enable-source-maps`, as Lambda loads the worker; it runs under tsx too
 * (`node --import tsx`). The environment is what the CDK app gives the function (its tables,
 * EXPORTS_BUCKET) plus the local endpoints and credentials (DYNAMODB_ENDPOINT, S3_ENDPOINT, AWS_*).
 * BENCH_LOAD_ONLY=1: load the worker's modules, print the RSS and heap then, and exit. BENCH_BARE: the
 * baseline instead of the worker, in the same kind of process: every page of the export's Queries
 * (the same request builders, the same shared client), counting the items and nothing else.
 *
 * Prints one line of JSON (`ExportJobChildReport`): the run's wall time, the rows and bytes the job
 * recorded, the peak RSS (`process.resourceUsage().maxRSS`, KiB, the kernel's high-water mark for the
 * process), the highest of `process.memoryUsage()` sampled every 100 ms, and the RSS once the code is
 * loaded and before any row (what loading costs; under tsx, its loader included).
 *
 * BENCH_DAY_QUERY_LIMIT (what-if): give every Query of the returns' byDay index that has no Limit this
 * one, on the way through the shared document client; the calls and attempts are counted either way.
 */
export interface ExportJobChildReport {
  outcome: string;
  status: string | undefined;
  ms: number;
  rows: number;
  bytes: number;
  /** process.resourceUsage().maxRSS / 1024. */
  peakRssMb: number;
  /** The highest process.memoryUsage().rss of the samples every 100 ms. */
  peakRssSampledMb: number;
  peakHeapUsedMb: number;
  /** process.memoryUsage().external (Buffers and other memory outside the V8 heap), the highest sampled. */
  peakExternalMb: number;
  /** The V8 heap as committed (heapTotal), the highest sampled. */
  peakHeapTotalMb: number;
  /** After the worker's modules are loaded, before the run. */
  rssAtStartMb: number;
  heapUsedAtStartMb: number;
  /** This process's CPU (user + system) during the run. */
  cpuMs: number;
  /** DynamoDB calls the run made through the shared client, by command, with the SDK's attempts (retries show as attempts > calls). */
  dynamodbCalls: Record<string, { calls: number; attempts: number; ms: number }>;
  /** Queries given a Limit by BENCH_DAY_QUERY_LIMIT (0 when the Queries carried one already, or none was asked for). */
  limitsAdded: number;
}

/** BENCH_BARE (JSON: kind, level, from, to): the bare read's figures instead. */
export interface BareReadReport {
  ms: number;
  items: number;
  pages: number;
  /** The SDK's attempts over the pages (more than pages: retries). */
  attempts: number;
  cpuMs: number;
  peakRssMb: number;
}

const MB = 2 ** 20;
let peakRss = 0;
let peakHeap = 0;
let peakExternal = 0;
let peakHeapTotal = 0;
const sample = () => {
  const memory = process.memoryUsage();
  if (memory.rss > peakRss) peakRss = memory.rss;
  if (memory.heapUsed > peakHeap) peakHeap = memory.heapUsed;
  if (memory.external > peakExternal) peakExternal = memory.external;
  if (memory.heapTotal > peakHeapTotal) peakHeapTotal = memory.heapTotal;
};
sample();
const sampler = setInterval(sample, 100);

async function main(): Promise<void> {
  const exportId = process.env.BENCH_EXPORT_ID;
  const loadOnly = process.env.BENCH_LOAD_ONLY === '1';
  if (!exportId && !loadOnly && !process.env.BENCH_BARE) throw new Error('BENCH_EXPORT_ID is needed');
  const limit = Number(process.env.BENCH_DAY_QUERY_LIMIT) || undefined;
  const { runExportJob } = await import('#shared/services/exports/run');
  const { getExportJob } = await import('#shared/repositories/export-jobs');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const bare = process.env.BENCH_BARE;
  if (bare) {
    // The baseline, in the same kind of process: every page of the export's Queries, counting the items.
    const { dayReturnsRequest } = await import('#shared/repositories/returns-by-day');
    const { levelAggregatesRequest } = await import('#shared/repositories/aggregates');
    const { queryPage } = await import('#shared/repositories/paged-query');
    const { daysBetween } = await import('#shared/services/aggregates/area-days');
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const { kind, level, from, to } = JSON.parse(bare) as { kind: 'returns' | 'aggregates'; level: 'localAuthority'; from: string; to: string };
    let items = 0;
    let pages = 0;
    let attempts = 0;
    const counted = (page: { Items?: unknown[]; LastEvaluatedKey?: Record<string, unknown>; $metadata?: { attempts?: number } }) => {
      items += page.Items?.length ?? 0;
      pages += 1;
      attempts += page.$metadata?.attempts ?? 1;
      return page.LastEvaluatedKey;
    };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    if (kind === 'returns') {
      for (const day of daysBetween(from, to)) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const input = dayReturnsRequest(day, '', startKey);
          startKey = counted(await dynamo.send(new QueryCommand({ ...input, ...(input.Limit === undefined && limit ? { Limit: limit } : {}) })));
        } while (startKey);
      }
    } else {
      const first = levelAggregatesRequest(level, from, to, 1000);
      let startKey: Record<string, unknown> | undefined;
      do startKey = counted(await queryPage({ ...first, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      while (startKey);
    }
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const report: BareReadReport = { ms, items, pages, attempts, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  }
  if (loadOnly) {
    // What the code costs once loaded, before anything runs.
    sample();
    const memory = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rssAtStartMb: memory.rss / MB, heapUsedAtStartMb: memory.heapUsed / MB })}\n`);
    process.exit(0);
  }

  const dynamodbCalls: ExportJobChildReport['dynamodbCalls'] = {};
  let limitsAdded = 0;
  type Input = { IndexName?: string; Limit?: number; KeyConditionExpression?: string; UpdateExpression?: string; Item?: unknown; Key?: unknown };
  // By the input's shape: a bundle's class names are minified.
  const operationOf = (input: Input) => (input.KeyConditionExpression ? 'Query' : input.UpdateExpression ? 'UpdateItem' : input.Item ? 'PutItem' : input.Key ? 'GetItem' : 'other');
  const send = dynamo.send.bind(dynamo) as (command: unknown, options?: unknown) => Promise<{ $metadata?: { attempts?: number } }>;
  (dynamo as unknown as { send: typeof send }).send = async (command, options) => {
    const { input } = command as { input: Input };
    const name = `${operationOf(input)}${input.IndexName ? ` ${input.IndexName}` : ''}`;
    if (limit && input.IndexName === 'byDay' && input.Limit === undefined) {
      input.Limit = limit;
      limitsAdded += 1;
    }
    const entry = (dynamodbCalls[name] ??= { calls: 0, attempts: 0, ms: 0 });
    const started = performance.now();
    try {
      const output = await send(command, options);
      entry.attempts += output.$metadata?.attempts ?? 1;
      return output;
    } catch (error) {
      entry.attempts += (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
      throw error;
    } finally {
      entry.calls += 1;
      entry.ms += performance.now() - started;
    }
  };

  sample();
  const atStart = process.memoryUsage();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await runExportJob(exportId!);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  sample();
  clearInterval(sampler);
  const job = await getExportJob(exportId!, true);
  const report: ExportJobChildReport = {
    outcome,
    status: job?.status,
    ms,
    rows: job?.rows ?? 0,
    bytes: job?.bytes ?? 0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakRssSampledMb: peakRss / MB,
    peakHeapUsedMb: peakHeap / MB,
    peakExternalMb: peakExternal / MB,
    peakHeapTotalMb: peakHeapTotal / MB,
    rssAtStartMb: atStart.rss / MB,
    heapUsedAtStartMb: atStart.heapUsed / MB,
    cpuMs: (cpu.user + cpu.system) / 1000,
    dynamodbCalls,
    limitsAdded,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // The SDK's keep-alive sockets would hold the process open for a while.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`export job child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
