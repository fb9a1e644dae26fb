/**
 * `npm run docs`: rewrites every generated section of README.md and docs/*.md from the code (the route
 * table, the table definitions) and from the last benchmark run (bench/results.json). A section is
 *
 *   <!-- generated:NAME -->
 *   ...
 *   <!-- /generated:NAME -->
 *
 * where NAME is a key of `sections` below; everything between the two markers is replaced. The text
 * around the markers is written by hand. test/docs/generated-docs.test.ts fails while any section differs
 * from what this writes, so a doc cannot go stale quietly: change the code, run `npm run docs`.
 *
 * Every renderer is here, in one file, and each is a plain function of its inputs: when the route table
 * or a result's shape changes, this is the one place to follow it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AggregationLagResults, BenchResults } from './bench-results';
import type { ExportJobResults, ExportJobRow } from '#scripts/bench/export-jobs';
import type { NearResults } from '#scripts/bench/near';
import { routes, type RouteDefinition } from '#shared/model/routes';
import { tables, TABLE_IDS, type IndexDefinition, type TableDefinition } from '#shared/model/tables';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What the renderers read besides the code they import. */
export interface DocInputs {
  /** bench/results.json, or undefined when there is none. */
  bench: BenchResults | undefined;
}

// ---------------------------------------------------------------------------------------------------
// Markdown helpers

const code = (text: string) => `\`${text}\``;
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');
}
/** A number for a cell: fixed digits, or an en dash when there is nothing to show. */
const num = (value: number | undefined, digits = 1) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const kb = (bytes: number) => num(bytes / 1024, 0);
const mb = (bytes: number, digits = 2) => num(bytes / 2 ** 20, digits);

// ---------------------------------------------------------------------------------------------------
// From the code

const tableAccess = (access: RouteDefinition['tables']) =>
  Object.entries(access)
    .map(([id, mode]) => `${id} ${mode}`)
    .join(', ');

/** The route table (`shared/model/routes.ts`): who may call each route, its handler, the tables it is granted. */
function routesTable(): string {
  return table(
    ['method', 'path', 'who', 'handler', 'tables'],
    (routes as readonly RouteDefinition[]).map((route) => {
      const who = route.access === 'public' ? 'anyone' : [...route.access, ...(route.updateLink ? ['update link'] : [])].join(', ');
      return [route.method, code(route.path), who, code(route.handler), tableAccess(route.tables)];
    }),
  );
}

/**
 * The access matrix: each route against each kind of caller, as the route table and the access rule
 * (`shared/model/access/access.ts`) decide it. test/integration/authorization-matrix.test.ts runs every
 * cell against the local gateway. Its columns are callers and what they aim at: a provider user who is
 * (member) or is not (other) a member of the location; a commissioner whose areas cover the location or
 * area (own area) or not; an update link for the location or for another one.
 */
export const ACCESS_COLUMNS = [
  'none',
  'provider (manager)',
  'provider (member)',
  'provider (other)',
  'discharge',
  'commissioner (own area)',
  'commissioner (other area)',
  'national',
  'admin',
  'link (own)',
  'link (other)',
] as const;

export function expectedAccess(route: RouteDefinition, column: (typeof ACCESS_COLUMNS)[number]): '2xx' | '401' | '403' {
  if (route.access === 'public') return '2xx';
  if (column === 'none') return '401';
  // An update link opens its own location's routes that say so, and nothing else.
  if (column === 'link (own)') return route.updateLink ? '2xx' : '403';
  if (column === 'link (other)') return '403';
  const role = column.split(' ')[0] as (typeof route.access)[number];
  if (!route.access.includes(role)) return '403';
  // Deciding a registration is for the manager of its location: one that none of these callers manages.
  if (column.startsWith('provider') && route.scope !== 'location' && route.managers) return '403';
  // Providers are held to their memberships on a route about one location; a listing shows them their own.
  if (column === 'provider (other)') return route.scope === 'location' ? '403' : '2xx';
  // Some location routes are for its managers: a plain member may not.
  if (column === 'provider (member)' && route.scope === 'location' && route.managers) return '403';
  // Commissioners are held to their areas on every route about a location, a listing or an area.
  if (column === 'commissioner (other area)') return route.scope === 'none' ? '2xx' : '403';
  return '2xx';
}

function accessMatrix(): string {
  const matrix = table(
    ['route', ...ACCESS_COLUMNS],
    (routes as readonly RouteDefinition[]).map((route) => [code(`${route.method} ${route.path}`), ...ACCESS_COLUMNS.map((column) => expectedAccess(route, column))]),
  );
  // The inner markers are what test/integration/authorization-matrix.test.ts reads.
  return `<!-- access:start -->\n${matrix}\n<!-- access:end -->`;
}

function projection(index: IndexDefinition): string {
  if (index.projection === 'ALL') return 'all';
  if (index.projection === 'KEYS_ONLY') return 'keys only';
  return `keys + ${index.projection.include.map(code).join(', ')}`;
}

/** Every table and index (`shared/model/tables.ts`) with its keys, projection, stream and TTL. */
function keysTable(): string {
  const rows: string[][] = [];
  for (const id of TABLE_IDS) {
    const definition: TableDefinition = tables[id];
    rows.push([
      code(id),
      code(definition.partitionKey.name),
      definition.sortKey ? code(definition.sortKey.name) : '—',
      '',
      definition.stream ?? '—',
      definition.ttlAttribute ? code(definition.ttlAttribute) : '—',
      definition.description,
    ]);
    for (const index of definition.indexes) {
      rows.push([`${code(id)} GSI ${code(index.indexName)}`, code(index.partitionKey.name), index.sortKey ? code(index.sortKey.name) : '—', projection(index), '', '', '']);
    }
  }
  return table(['table', 'partition key', 'sort key', 'index projects', 'stream', 'TTL', 'holds'], rows);
}

// ---------------------------------------------------------------------------------------------------
// From bench/results.json (the tables `npm run bench` prints, in the docs' layout)

/**
 * bench/results.json, with the near-place search section (`near`, scripts/bench/near.ts) and the export
 * jobs (`exportJobs`, scripts/bench/export-jobs.ts).
 */
type Bench = BenchResults & { near?: NearResults; exportJobs?: ExportJobResults };

function benchRun(bench: Bench): string {
  return `The figures below are those of \`bench/results.json\`: one \`npm run bench\` that finished ${bench.at.slice(0, 10)} on ${bench.machine}.`;
}

function benchReminders(bench: Bench): string | undefined {
  if (!bench.reminders) return undefined;
  return table(
    ['stale', 'stale locations', 'index entries read', 'read ÷ stale', 'emails sent', 'run (s)', 'bare Query of the stale entries (ms)'],
    bench.reminders.map((r) => [`${num(r.staleShare * 100, 0)}%`, String(r.staleLocations), String(r.itemsRead), num(r.readPerStale, 2), String(r.emailsSent), num(r.runSeconds, 1), num(r.bareQueryMs, 0)]),
  );
}

function benchSearch(bench: Bench): string | undefined {
  if (!bench.search) return undefined;
  return table(
    ['search', 'results', 'handler p50 (ms)', 'handler p99 (ms)', 'bare Query p50 (ms)', 'bare Query p99 (ms)', 'p50 ÷ bare'],
    bench.search.map((r) => [r.search, String(r.results), num(r.handlerP50), num(r.handlerP99), num(r.bareP50), num(r.bareP99), num(r.ratioP50, 2)]),
  );
}

/** Searching near a place: the figures, what the entries read were, and a line on where the time goes. */
function benchNear(bench: Bench): string | undefined {
  const near = bench.near;
  if (!near) return undefined;
  const label = (r: NearResults['rows'][number]) => `${r.near} (${r.town}, ${r.setting}), ${r.pages === 'first' ? 'first page' : 'every page'}`;
  const range = (values: readonly number[], digits: number) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    return low.toFixed(digits) === high.toFixed(digits) ? low.toFixed(digits) : `${low.toFixed(digits)}–${high.toFixed(digits)}`;
  };
  const pages = near.rows.reduce((sum, r) => sum + r.pageCount, 0);
  const queries = near.rows.reduce((sum, r) => sum + r.queries, 0);
  const rings = near.rows.reduce((sum, r) => sum + r.rings, 0);
  // Over every page of each search (the first pages are in those too).
  const everyPage = near.rows.filter((r) => r.pages === 'all');
  const read = everyPage.reduce((sum, r) => sum + r.read, 0);
  const wasted = (key: keyof NearResults['rows'][number]['readAs']) => `${num((100 * everyPage.reduce((sum, r) => sum + r.readAs[key], 0)) / read, 0)}%`;
  return [
    `${near.withVacancies} of ${near.locations} locations with a vacancy, spread over ${near.districts} English postcode districts; within ${near.withinMiles} miles, ${near.limit} a page; ${near.runs.first} runs of a first page and ${near.runs.all} of every page, after ${near.runs.warmUp} to warm up; load average ${near.loadAverage.start[0]} → ${near.loadAverage.end[0]}. Targets: handler p50 ≤ ${near.target.ratioP50}× the bare Queries, entries read ≤ ${near.target.readPerResult}× results.`,
    '',
    table(
      ['search', 'pages', 'results', 'entries read', 'Queries', 'rings', 'handler p50 (ms)', 'handler p99 (ms)', 'service p50 (ms)', 'bare Queries p50 (ms)', 'bare Queries p99 (ms)', 'p50 ÷ bare', 'read ÷ returned', 'vs targets'],
      near.rows.map((r) => [
        label(r),
        String(r.pageCount),
        String(r.results),
        String(r.read),
        String(r.queries),
        String(r.rings),
        num(r.handlerP50),
        num(r.handlerP99),
        num(r.serviceP50),
        num(r.bareP50),
        num(r.bareP99),
        num(r.ratioP50, 2),
        num(r.readPerResult, 2),
        `time ${r.ratioVerdict}, read ${r.readVerdict}`,
      ]),
    ),
    '',
    'What the entries read were, each against the ring of the page that read it:',
    '',
    table(
      ['search', 'entries read', 'returned', "in the ring's hole (read again)", 'beyond the ring (row corners)', 'in the ring, past the page (read again)'],
      near.rows.map((r) => [label(r), String(r.read), String(r.readAs.returned), String(r.readAs.inHole), String(r.readAs.beyondRing), String(r.readAs.pastPage)]),
    ),
    '',
    `Where the time goes: the bare Queries take ${range(near.rows.map((r) => (100 * r.bareP50) / r.handlerP50), 0)}% of the handler's p50 and searchNear alone ${range(near.rows.map((r) => (100 * r.serviceP50) / r.handlerP50), 0)}% (the two are within each other's noise), so the time is DynamoDB answering ${num(queries / pages, 1)} Queries a page (${num(rings / pages, 1)} rings a page, one after another, each ring's ranges at once), not the distances, the order, the JSON or the middleware; of the entries read paging through every result, ${wasted('returned')} were returned, ${wasted('inHole')} were in a ring's hole, ${wasted('beyondRing')} beyond a ring and ${wasted('pastPage')} past a page.`,
  ].join('\n');
}

function benchBundles(bench: Bench): string | undefined {
  const results = bench.bundles;
  if (!results) return undefined;
  const { target } = results;
  const verdict = (r: (typeof results.rows)[number]) =>
    r.whatIf
      ? 'what-if (not a bundle of ours)'
      : r.baseline
      ? 'baseline'
      : [
          r.bytes <= target.bytes ? 'size ok' : `size ×${(r.bytes / target.bytes).toFixed(2)}`,
          r.importP50Ms <= target.importMs ? 'import ok' : `import ×${(r.importP50Ms / target.importMs).toFixed(2)}`,
        ].join(', ');
  const summary = `Target: 1.5× the DynamoDB-client baseline of this run, ≤ ${target.bytes / 1024} KB and ≤ ${target.importMs} ms each; ${results.runs} fresh \`node\` processes per bundle, ${results.node}, load average ${num(results.loadAverage.start)} → ${num(results.loadAverage.end)}.`;
  return `${summary}\n\n${table(
    ['function', 'entry', 'size (KB)', 'gzip (KB)', 'cold import p50 (ms)', 'import CPU p50 (ms)', 'with `--enable-source-maps` p50 (ms)', 'vs target'],
    results.rows.map((r) => [
      r.baseline ? `*${r.name}*` : r.name,
      r.entry ? code(r.entry) : '',
      kb(r.bytes),
      kb(r.gzipBytes),
      num(r.importP50Ms, 0),
      num(r.importCpuP50Ms, 0),
      num(r.importSourceMapsP50Ms, 0),
      verdict(r),
    ]),
  )}`;
}

function benchBundleLargest(bench: Bench): string | undefined {
  const largest = bench.bundles?.largest;
  if (!largest) return undefined;
  return `What is in the largest bundle (\`${largest.name}\`), by bytes of minified output:\n\n${table(
    ['package', 'KB', 'share'],
    largest.packages.map((p) => [p.name, kb(p.bytes), `${num(p.share * 100, 1)}%`]),
  )}`;
}

function benchSubmit(bench: Bench): string | undefined {
  const results = bench.submit;
  if (!results) return undefined;
  const writes = { first: 'first (201)', correction: 'correction (200)', confirm: 'confirm (201)' } as const;
  return table(
    ['write', 'what', 'status', 'DynamoDB requests', 'p50 (ms)', 'p99 (ms)', 'p50 ÷ baseline', 'vs target', 'p50 ÷ bare TransactWriteItems', 'node CPU per run (ms)', 'DynamoDB Local CPU per run (ms)'],
    results.rows.map((r) => [
      writes[r.write],
      r.label,
      r.status === undefined ? '' : String(r.status),
      num(r.dynamodbRequestsPerRun, 1),
      num(r.latencyMs.p50, 2),
      num(r.latencyMs.p99, 2),
      num(r.ratioToBaseline, 2),
      r.target !== undefined ? `${r.verdict ?? ''} (≤ ${r.target}×)` : '',
      num(r.ratioToTransact, 2),
      num(r.nodeCpuMsPerRun, 2),
      num(r.dynamodbLocalCpuMsPerRun, 1),
    ]),
  );
}

/** The two breakdowns side by side, one row per part (the gateway's order; parts it lacks after). */
function benchSubmitBreakdown(bench: Bench, which: 'breakdown' | 'confirmBreakdown' = 'breakdown'): string | undefined {
  const breakdown = bench.submit?.[which];
  if (!breakdown) return undefined;
  const parts = [...new Set([...breakdown.gateway, ...breakdown.inProcess].map((r) => r.part))];
  const find = (rows: typeof breakdown.gateway, part: string) => rows.find((r) => r.part === part);
  return table(
    ['part', 'in-process p50 (ms)', 'in-process mean (ms)', 'gateway p50 (ms)', 'gateway mean (ms)'],
    parts.map((part) => {
      const inProcess = find(breakdown.inProcess, part);
      const gateway = find(breakdown.gateway, part);
      return [part.trim(), inProcess ? num(inProcess.p50Ms, 2) : '', inProcess ? num(inProcess.meanMs, 2) : '', gateway ? num(gateway.p50Ms, 2) : '', gateway ? num(gateway.meanMs, 2) : ''];
    }),
  );
}

/** Issue 20's targets as the last runs of each section measured them, for the README (one row each, with the load average). */
function readmePerformance(bench: Bench): string | undefined {
  const { submit, aggregator, saveCost, bundles, shed, lag } = bench;
  if (!submit || !aggregator || !saveCost || !bundles || !shed || !lag) return undefined;
  const load = (average: { start: number | number[]; end: number | number[] }) => {
    const first = (value: number | number[]) => (Array.isArray(value) ? value[0]! : value);
    return `${first(average.start)} → ${first(average.end)}`;
  };
  const ours = submit.rows.filter((r) => r.kind === 'ours');
  const ratios = (mode: string) => ours.filter((r) => r.mode === mode).map((r) => num(r.ratioToBaseline, 2)).join(' / ');
  const verdicts = (mode: string) => (ours.filter((r) => r.mode === mode).every((r) => r.verdict === 'meets') ? 'meets' : 'misses');
  // Through the gateway: the authorizer's requests (none, for a return write) counted with the route's.
  const requests = [...new Set(ours.filter((r) => r.mode === 'gateway').map((r) => num(r.dynamodbRequestsPerRun, 0)))].join(', ');
  const warm = aggregator.rows.find((r) => r.kind === 'ours')!;
  const functions = bundles.rows.filter((r) => !r.baseline);
  const within = functions.filter((r) => r.withinTarget).length;
  const visible100 = lag.phases.find((p) => p.ratePerSecond === lag.target.atRate);
  const rows: string[][] = [
    ['a provider\'s PUT / correction / confirm: DynamoDB requests, the authorizer\'s included', requests, '2', requests === '2' ? 'meets' : 'misses', load(submit.loadAverage)],
    ['the same in process, p50 ÷ bare BatchGetItem + TransactWriteItems', ratios('inProcess'), `≤ ${submit.target.inProcessVsBare}×`, verdicts('inProcess'), load(submit.loadAverage)],
    ['the same through the local gateway', ratios('gateway'), `≤ ${submit.target.gatewayVsBare}×`, verdicts('gateway'), load(submit.loadAverage)],
    ['aggregator: DynamoDB calls per stream record, batch of 100', num(warm.callsPerRecord, 3), `≤ ${aggregator.target.callsPerRecord}`, warm.verdict ?? '', load(aggregator.loadAverage)],
    ['write units per save, billed (typical mix)', num(saveCost.typical.billed, 1), `≤ ${saveCost.target.billedWruPerSave}`, saveCost.typical.verdict, 'counts'],
    ['function bundles within 1.5× the DynamoDB client (size and import)', `${within} of ${functions.length}`, 'all', within === functions.length ? 'meets' : 'misses', load(bundles.loadAverage)],
    ['npm start at 100 submissions/s for 60 s: slowest answer (201 or 429)', `${num(shed.run.answerMs.all.max, 0)} ms, ${shed.run.accepted} taken (${num(shed.run.throughput.acceptedPerSecond, 1)}/s), ${shed.run.throttled} shed`, `≤ ${shed.target.answerMs} ms`, shed.verdicts.answeredWithin, load(shed.loadAverage)],
    ['the same: 201 → in the aggregates, p99', `${num(shed.run.visibleMs.p99, 0)} ms; ${shed.run.visible} of ${shed.run.accepted} counted`, `≤ ${shed.target.visibleP99Ms} ms`, shed.verdicts.visibleP99, load(shed.loadAverage)],
    ['aggregation lag at 100/s, p99 (aggregation-lag bench)', visible100 ? `${num(visible100.visibleMs.p99, 0)} ms` : '–', `≤ ${lag.target.p99Ms} ms`, visible100?.verdict ?? '', visible100 ? load(visible100.loadAverage) : ''],
    ['the stack\'s Node processes idle (RSS p50)', `${mb(shed.idleMemory.nodeTotalBytes.p50, 0)} MB`, `≤ ${mb(shed.target.nodeRssIdleBytes, 0)} MB`, shed.verdicts.nodeRssIdle, load(shed.loadAverage)],
  ];
  return table(['issue 20 target', 'measured', 'target', 'verdict', 'load average'], rows);
}

/** `npm start` at 100 submissions a second (scripts/bench/shed.ts): what it took, shed and showed, against issue 20's targets. */
function benchShed(bench: Bench): string | undefined {
  const shed = bench.shed;
  if (!shed) return undefined;
  const { run, target } = shed;
  const nodeIdle = shed.idleMemory.nodeTotalBytes.p50;
  const rows: string[][] = [
    ['offered', `${num(run.throughput.offeredPerSecond, 1)}/s for ${run.seconds} s (${run.sent} sent)`, ''],
    ['taken (201)', `${run.accepted} (${num(run.throughput.acceptedPerSecond, 1)}/s)`, 'reported'],
    ['shed (429 with Retry-After)', String(run.throttled), ''],
    ['anything else', Object.entries(run.statuses).filter(([status]) => status !== '201' && status !== '429').map(([status, count]) => `${status}: ${count}`).join(', ') || 'none', ''],
    ['answer p50 / p99 / max (ms)', `${num(run.answerMs.all.p50, 0)} / ${num(run.answerMs.all.p99, 0)} / ${num(run.answerMs.all.max, 0)}`, `${shed.verdicts.answeredWithin} (every answer ≤ ${target.answerMs} ms)`],
    ['201s counted in the aggregates', `${run.visible} of ${run.accepted} (England Δ ${run.englandReportingDelta})`, run.visible === run.accepted && run.englandReportingDelta === run.accepted ? 'meets (all)' : 'misses (all)'],
    ['201 → visible p50 / p99 (ms)', `${num(run.visibleMs.p50, 0)} / ${num(run.visibleMs.p99, 0)}`, `${shed.verdicts.visibleP99} (p99 ≤ ${target.visibleP99Ms} ms)`],
    ['Node RSS idle p50 (MB)', mb(nodeIdle, 0), `${shed.verdicts.nodeRssIdle} (≤ ${mb(target.nodeRssIdleBytes, 0)} MB)`],
    ['Node RSS during the run p50 / max (MB)', `${mb(shed.runMemory.nodeTotalBytes.p50, 0)} / ${mb(shed.runMemory.nodeTotalBytes.max, 0)}`, ''],
    ['bound on requests in flight', shed.maxInFlight === undefined ? 'none' : String(shed.maxInFlight), ''],
    ['load average', `${shed.loadAverage.start[0]} → ${shed.loadAverage.end[0]}`, ''],
  ];
  return table(['', 'measured', 'vs target'], rows);
}

/**
 * Write units per save (scripts/bench/save-cost.ts): per table and index, what AWS bills for each kind of
 * save (DynamoDB Local's own answer beside it), the totals, a typical save, and what batching would do.
 */
function benchSaveCost(bench: Bench): string | undefined {
  const results = bench.saveCost;
  if (!results) return undefined;
  const keyOf = (part: string, target: string) => `${part}|${target}`;
  const keysInOrder = [...new Set(results.rows.flatMap((row) => row.targets.map(({ part, target }) => keyOf(part, target))))].sort((a, b) => {
    const [partA = '', targetA = ''] = a.split('|');
    const [partB = '', targetB = ''] = b.split('|');
    return partA === partB ? targetA.localeCompare(targetB) : partA === 'request' ? -1 : 1;
  });
  const cellOf = (figures: { billed: number; local: number } | undefined) => (figures ? `${num(figures.billed, 0)} (${num(figures.local, 0)})` : '–');
  const rows = keysInOrder.map((key) => {
    const [part = '', target = ''] = key.split('|');
    return [part === 'request' ? 'the request' : 'the stream consumers', code(target), ...results.rows.map((row) => cellOf(row.targets.find((t) => keyOf(t.part, t.target) === key)?.figures))];
  });
  rows.push(['**the request**', '', ...results.rows.map((row) => cellOf(row.byPart.request))]);
  rows.push(['**the stream consumers**', '', ...results.rows.map((row) => cellOf(row.byPart.stream))]);
  rows.push(['**a save in all**', '', ...results.rows.map((row) => `**${num(row.total.billed, 0)}** (${num(row.total.local, 0)}): ${row.verdict}`)]);
  rows.push(["*if AWS doubled a transaction's index writes too*", '', ...results.rows.map((row) => num(row.total.billedIndexesDoubled, 0))]);
  const mix = Object.entries(results.typical.mix)
    .filter(([, share]) => share > 0)
    .map(([kind, share]) => `${num(share * 100, 1)}% ${code(kind)}`)
    .join(', ');
  const batched = results.batched.map((batch) => `batches of ${batch.batchSize}: ${num(batch.request.billed, 1)} + ${num(batch.stream.billed, 1)} = **${num(batch.total.billed, 1)}**`).join('; ');
  return [
    table(['part', 'table / index', ...results.rows.map((row) => `${code(row.kind)}: billed (Local)`)], rows),
    `Target: ≤ ${results.target.billedWruPerSave} WRU billed per save. A typical save (${mix}): **${num(results.typical.billed, 1)} WRU billed** (${results.typical.verdict}).`,
    `With a batching window, a new day's PUT with vacancies, per save (request + stream consumers): ${batched}; in a batch of one, ${num(results.rows.find((row) => row.kind === 'newDay')?.total.billed, 0)}.`,
    `Item sizes measured (bytes, DynamoDB's rules): ${Object.entries(results.itemBytes).map(([label, bytes]) => `${label} ${bytes}`).join('; ')}.`,
  ].join('\n\n');
}

function benchExports(bench: Bench): string | undefined {
  if (!bench.exports) return undefined;
  return table(
    ['export', 'Accept-Encoding', 'status', 'rows', 'CSV (MB)', 'body (MB)', 'Lambda payload (MB)', '≤ 6 MB', 'handler p50 (ms)', 'handler max (ms)', 'bare paginated Query p50 (ms)', 'items read bare', 'p50 ÷ bare'],
    bench.exports.rows.map((r) => [
      r.export,
      r.encoding,
      String(r.status ?? 200),
      String(r.rows),
      mb(r.csvBytes),
      mb(r.bodyBytes),
      mb(r.lambdaPayloadBytes),
      r.withinLambdaLimit ? 'yes' : 'no',
      num(r.handlerMs.p50, 0),
      num(r.handlerMs.max, 0),
      num(r.bareMs.p50, 0),
      String(r.bareItems),
      num(r.ratioP50, 2),
    ]),
  );
}

/** Export jobs: the worker in a child process against bare reads of the same pages, and the time to a link. */
function benchExportJobs(bench: Bench): string | undefined {
  const jobs = bench.exportJobs;
  if (!jobs) return undefined;
  const limitOf = (r: ExportJobRow) => `${r.queryLimit.limit ?? 'none'}${r.queryLimit.source === 'whatIf' ? ' (what-if)' : ''}`;
  const verdicts = (r: ExportJobRow) => [r.rssVerdict && `RSS ${r.rssVerdict}`, r.ratioVerdict && `time ${r.ratioVerdict}`].filter(Boolean).join(', ');
  const lines = [
    `${jobs.locations} locations' returns over ${jobs.returnDays} days (${jobs.returnItems} items of about ${num(jobs.returnItemBytes / 1024, 1)} KB as JSON, written straight into the returns table with their \`placeKey\`; the table without its stream) and ${jobs.councils} councils' daily aggregates over ${jobs.aggregateDays} days (${jobs.aggregateItems} items; ${num(jobs.missingAggregateShare * 100, 1)}% of council-days missing, written as zero rows), seeded in ${num(jobs.seedSeconds.returns, 0)} s and ${num(jobs.seedSeconds.aggregates, 0)} s; DynamoDB Local (in memory) ${num(jobs.dynamodbLocalRssMb.seeded, 0)} MB once seeded, ${num(jobs.dynamodbLocalRssMb.max, 0)} MB at most. The worker child once loaded: ${num(jobs.childStartRssMb.bundle, 0)} MB (the esbuild bundle under plain node; ${num(jobs.childStartRssMb.tsx, 0)} MB under tsx). Load average ${jobs.loadAverage.start[0]} → ${jobs.loadAverage.end[0]}. Targets: peak RSS ≤ ${jobs.target.peakRssMb} MB whatever the size, worker ≤ ${jobs.target.ratio}× the bare Queries.`,
    '',
    table(
      ['export', 'file', 'Query page Limit', 'rows', 'file (MB)', 'worker (s)', 'worker rows/s', 'bare Queries (s)', 'bare rows/s', 'worker ÷ bare', 'CPU ÷ bare CPU', 'RSS loaded (MB)', 'peak RSS (MB)', 'peak heap used (MB)', 'worker CPU per row (µs)', 'POST → link (s)', 'file = job (bytes, rows)', 'vs targets'],
      jobs.rows.map((r) => [
        r.export,
        r.compression === 'gzip' ? 'CSV, gzip' : 'CSV',
        limitOf(r),
        String(r.rows),
        mb(r.bytes, 1),
        num(r.worker && r.worker.ms / 1000, 1),
        num(r.worker?.rowsPerSecond, 0),
        num(r.bare && r.bare.ms / 1000, 1),
        num(r.bare?.rowsPerSecond, 0),
        num(r.ratio, 2),
        num(r.cpuRatio, 2),
        num(r.worker?.rssAtStartMb, 0),
        num(r.worker?.peakRssMb, 0),
        num(r.worker?.peakHeapUsedMb, 0),
        num(r.worker && r.rows > 0 ? (r.worker.cpuMs * 1000) / r.rows : undefined, 0),
        num(r.link?.seconds, 1),
        r.link ? (r.link.sizeMatches && r.link.rowsMatch ? 'yes' : 'no') : '–',
        verdicts(r),
      ]),
    ),
  ];
  // Where the time goes, for the largest export measured.
  const largest = [...jobs.rows].filter((r) => r.worker && r.bare).sort((a, b) => b.rows - a.rows)[0];
  if (largest?.worker && largest.bare) {
    const { worker, bare } = largest;
    const queryMs = Object.entries(worker.dynamodbCalls)
      .filter(([name]) => name.startsWith('Query'))
      .reduce((sum, [, calls]) => sum + calls.ms, 0);
    const perRow = (ms: number) => num((ms * 1000) / largest.rows, 0);
    lines.push(
      '',
      `Where the time goes (${largest.export}, ${largest.rows} rows): the worker waited ${num((100 * queryMs) / worker.ms, 0)}% of its ${num(worker.ms / 1000, 1)} s on its ${Object.entries(worker.dynamodbCalls).filter(([name]) => name.startsWith('Query')).reduce((sum, [, calls]) => sum + calls.calls, 0)} Query pages (the SDK's parsing of each page included) and made the rows in the rest, one page after another; per row it used ${perRow(worker.cpuMs)} µs of CPU against the bare read's ${perRow(bare.cpuMs)} µs (parsing and unmarshalling the pages), and DynamoDB Local ${perRow(worker.dynamodbLocalCpuMs)} µs (${perRow(bare.dynamodbLocalCpuMs)} µs for the bare read). Its peak RSS was ${num(worker.peakRssMb, 0)} MB: ${num(worker.rssAtStartMb, 0)} MB loaded, the V8 heap at most ${num(worker.peakHeapTotalMb, 0)} MB committed (${num(worker.peakHeapUsedMb, 0)} MB used), ${num(worker.peakExternalMb, 0)} MB outside it (buffers: the upload's parts, the pages as received).`,
    );
  }
  const failed = jobs.rows.filter((r) => r.errors?.length);
  for (const r of failed) lines.push('', `${r.export} (${r.compression === 'gzip' ? 'CSV, gzip' : 'CSV'}): ${r.errors!.join('; ')}`);
  return lines.join('\n');
}

function benchLag(bench: Bench): string | undefined {
  const lag = bench.lag;
  if (!lag) return undefined;
  return table(
    [
      'rate',
      'sent',
      '201',
      'written (in stream)',
      '201s counted / in ledger',
      'England Δ',
      'PUT p50 / p99 (ms)',
      'visible p50 (ms)',
      'visible p99 (ms)',
      'stream p50 (ms)',
      'stream p99 (ms)',
      'p50 ÷ stream',
      'p99 ÷ stream',
      'sent → visible p99 (ms)',
      'vs target',
      'load average',
    ],
    lag.phases.map((p) => [
      `${p.ratePerSecond}/s × ${p.durationMs / 1000} s`,
      String(p.sent),
      String(p.created),
      String(p.seenInStream),
      `${p.visible} / ${p.inLedger}`,
      String(p.englandReportingDelta),
      `${num(p.putMs.p50, 0)} / ${num(p.putMs.p99, 0)}`,
      num(p.visibleMs.p50, 0),
      num(p.visibleMs.p99, 0),
      num(p.streamMs.p50, 0),
      num(p.streamMs.p99, 0),
      num(p.ratioP50, 2),
      num(p.ratioP99, 2),
      num(p.visibleFromSentMs.p99, 0),
      p.verdict ? `${p.verdict} (p99 ≤ ${lag.target.p99Ms} ms)` : '',
      `${p.loadAverage.start[0]} → ${p.loadAverage.end[0]}`,
    ]),
  );
}

type StackRole = AggregationLagResults['idleMemory']['processes'][number]['role'];

function benchLagCpu(bench: Bench): string | undefined {
  const lag = bench.lag;
  if (!lag) return undefined;
  return table(
    ['rate', 'wall (s)', 'through to the aggregates (/s)', 'stack node (cores)', 'DynamoDB Local java (cores)', 'this benchmark (cores)', 'stack node CPU per submission (ms)', 'java CPU per submission (ms)'],
    lag.phases.map((p) => {
      const wall = p.memory.wallMs;
      const cpuOf = (role: StackRole) => p.memory.processes.filter((process) => process.role === role).reduce((sum, process) => sum + process.cpuMs, 0);
      return [
        `${p.ratePerSecond}/s`,
        num(wall / 1000, 1),
        num(p.throughputPerSecond, 1),
        num(cpuOf('stack') / wall, 2),
        num(cpuOf('dynamodbLocal') / wall, 2),
        num(p.clientCpuMs / wall, 2),
        num(cpuOf('stack') / p.created, 1),
        num(cpuOf('dynamodbLocal') / p.created, 1),
      ];
    }),
  );
}

function benchLagMemory(bench: Bench): string | undefined {
  const lag = bench.lag;
  if (!lag) return undefined;
  const slow = lag.phases.find((p) => p.ratePerSecond !== lag.target.atRate);
  const fast = lag.phases.find((p) => p.ratePerSecond === lag.target.atRate);
  const label = (role: StackRole, comm: string) =>
    ({
      stack: 'the stack (node scripts/local/launch.mjs, the esbuild build of start.ts: gateway, handlers, poller, aggregator)',
      tsxWrapper: 'a launcher in front of the stack (node; tsx’s, before issue 20)',
      dynamodbLocal: 'DynamoDB Local (java, child of the stack; not under the target)',
      other: comm === 'esbuild' ? 'tsx’s esbuild service (child of the stack)' : `another process of the tree (${comm})`,
    })[role];
  const byProcess = (report: AggregationLagResults['idleMemory'] | undefined, pid: number) => report?.processes.find((process) => process.pid === pid)?.rssBytes;
  const order: StackRole[] = ['stack', 'tsxWrapper', 'dynamodbLocal', 'other'];
  const processes = [...lag.idleMemory.processes].sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  const rows = processes.map((process) => [
    label(process.role, process.comm),
    mb(process.rssBytes.p50, 0),
    mb(byProcess(slow?.memory, process.pid)?.max ?? Number.NaN, 0),
    mb(byProcess(fast?.memory, process.pid)?.p50 ?? Number.NaN, 0),
    mb(byProcess(fast?.memory, process.pid)?.max ?? Number.NaN, 0),
    '',
  ]);
  const limit = lag.target.nodeRssBytes;
  const together = fast?.memory.nodeTotalBytes;
  rows.push([
    '**Node processes together**',
    mb(lag.idleMemory.nodeTotalBytes.p50, 0),
    mb(slow?.memory.nodeTotalBytes.max ?? Number.NaN, 0),
    mb(together?.p50 ?? Number.NaN, 0),
    mb(together?.max ?? Number.NaN, 0),
    // Issue 20's target is the idle figure; under load the stack's backlog is bounded by the gateway instead.
    `${lag.idleMemory.nodeTotalBytes.p50 <= limit ? 'meets' : 'misses'} (idle ≤ ${limit / 2 ** 20} MB)`,
  ]);
  return table(['process', 'idle p50 (MB)', `while at ${slow?.ratePerSecond ?? '–'}/s max (MB)`, `while at ${lag.target.atRate}/s p50 (MB)`, `while at ${lag.target.atRate}/s max (MB)`, 'vs target'], rows);
}

// ---------------------------------------------------------------------------------------------------
// Sections and files

const fromBench =
  (render: (bench: Bench) => string | undefined) =>
  ({ bench }: DocInputs): string =>
    (bench && render(bench)) ?? '*No figures: bench/results.json has no such section. Run `npm run bench`, then `npm run docs`.*';

/** Every section a doc may mark, by name. */
export const sections: Record<string, (inputs: DocInputs) => string> = {
  routes: routesTable,
  access: accessMatrix,
  keys: keysTable,
  'bench-run': fromBench(benchRun),
  'bench-reminders': fromBench(benchReminders),
  'bench-search': fromBench(benchSearch),
  'bench-near': fromBench(benchNear),
  'bench-bundles': fromBench(benchBundles),
  'bench-bundle-largest': fromBench(benchBundleLargest),
  'bench-submit': fromBench(benchSubmit),
  'bench-submit-breakdown': fromBench(benchSubmitBreakdown),
  'bench-confirm-breakdown': fromBench((bench) => benchSubmitBreakdown(bench, 'confirmBreakdown')),
  'bench-shed': fromBench(benchShed),
  'readme-performance': fromBench(readmePerformance),
  'bench-exports': fromBench(benchExports),
  'bench-save-cost': fromBench(benchSaveCost),
  'bench-export-jobs': fromBench(benchExportJobs),
  'bench-lag': fromBench(benchLag),
  'bench-lag-cpu': fromBench(benchLagCpu),
  'bench-lag-memory': fromBench(benchLagMemory),
};

const MARKER = /<!-- generated:([\w-]+) -->\n([\s\S]*?)<!-- \/generated:([\w-]+) -->/g;

/** The generated sections of one file, by name, as they stand. */
export function generatedSections(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of text.matchAll(MARKER)) {
    const [, name = '', body = '', closing] = match;
    if (closing !== name) throw new Error(`<!-- generated:${name} --> is closed by <!-- /generated:${closing} -->`);
    found.set(name, body);
  }
  return found;
}

/** One file with each of its marked sections rewritten; an unknown or unclosed section is an error. */
export function renderFile(path: string, text: string, inputs: DocInputs): string {
  const opened = [...text.matchAll(/<!-- generated:([\w-]+) -->/g)].length;
  const rendered = text.replace(MARKER, (_whole, name: string, _body: string, closing: string) => {
    if (closing !== name) throw new Error(`${path}: <!-- generated:${name} --> is closed by <!-- /generated:${closing} -->`);
    const render = sections[name];
    if (!render) throw new Error(`${path}: no generated section named ${name}; the names are ${Object.keys(sections).join(', ')}`);
    return `<!-- generated:${name} -->\n${render(inputs)}\n<!-- /generated:${name} -->`;
  });
  if (generatedSections(text).size !== opened) throw new Error(`${path}: a <!-- generated:NAME --> section is not closed (or is opened twice)`);
  return rendered;
}

/** Every doc (path relative to the repository root → text) with its generated sections rewritten. Pure. */
export function renderDocs(files: Record<string, string>, inputs: DocInputs): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path, renderFile(path, text, inputs)]));
}

/** README.md and every docs/*.md, by path relative to the repository root. */
export function readDocFiles(root = REPO_ROOT): Record<string, string> {
  const paths = ['README.md', ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)];
  return Object.fromEntries(paths.map((path) => [path, readFileSync(join(root, path), 'utf8')]));
}

export function readDocInputs(root = REPO_ROOT): DocInputs {
  const path = join(root, 'bench', 'results.json');
  return { bench: existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as BenchResults) : undefined };
}

function main(): void {
  const files = readDocFiles();
  const rendered = renderDocs(files, readDocInputs());
  for (const [path, text] of Object.entries(rendered)) {
    const sectionCount = generatedSections(text).size;
    if (text === files[path]) {
      console.log(`${path}: ${sectionCount} generated section${sectionCount === 1 ? '' : 's'}, up to date`);
    } else {
      writeFileSync(join(REPO_ROOT, path), text);
      console.log(`${path}: ${sectionCount} generated section${sectionCount === 1 ? '' : 's'}, rewritten`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
