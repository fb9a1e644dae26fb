import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CARE_HOME_CATEGORIES } from '#shared/model/schemas/location';
import type { DailyReturnInput, StoredReturn } from '#shared/model/schemas/return';
import { BENCH_TABLE_PREFIX, progress, type BenchEnvironment } from './environment';
import { cell, loadAverage, ratio, summarise, verdict, type Summary } from './stats';

/** The targets: an upload of 500 rows in at most 0.3× the time of 500 PUTs; the template of 300 homes under 1 s. */
export const BULK_TARGET = { vsSinglePuts: 0.3, templateMs: 1000 } as const;

const HOMES = 100;
const DAYS = 5;
const TEMPLATE_HOMES = 300;
const AREAS: Array<[string, string]> = [
  ['E08000004', 'E12000002'], ['E06000027', 'E12000009'], ['E09000033', 'E12000007'], ['E08000025', 'E12000005'], ['E06000018', 'E12000004'],
];

export interface BulkResults {
  target: typeof BULK_TARGET;
  rows: number;
  homes: number;
  days: number;
  rounds: number;
  writeConcurrency: number;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  /** Wall time of each way of writing the same 500 rows, per round (fresh homes each time). */
  bulkMs: Summary;
  bulkStatus: number[];
  singlePutsMs: Summary;
  bareMs: Summary;
  bareConcurrentMs: Summary;
  /** The upload's own floor: a bare TransactWriteItems of each home's 5 days (its 11 items), BULK_WRITE_CONCURRENCY homes at once. */
  bareByLocationMs: Summary;
  /** Medians: the upload against the PUTs one after another (target ≤ 0.3) and against the bare writes. */
  ratioToSinglePuts: number;
  ratioToBare: number;
  ratioToBareConcurrent: number;
  ratioToBareByLocation: number;
  verdict: 'meets' | 'misses';
  template: { homes: number; rows: number; bytes: number; latencyMs: Summary; verdict: 'meets' | 'misses' };
}

/**
 * The bulk upload (DESIGN §10.2): 500 rows (100 homes × 5 days) in one `POST /v1/returns/bulk` through
 * the local gateway, against the same 500 returns as 500 PUTs through the gateway one after another, and
 * against the bare writes: 500 TransactWriteItems of the items a PUT writes, one after another and 16
 * homes at a time, and 100 of a home's 5 days each (the items the upload writes), 16 at a time as the
 * upload writes them. Each round writes to fresh homes, so every row is a first write (201); the ways
 * take turns within a round, after an untimed warm-up of both routes. Then the template of a provider
 * with 300 homes, each with a latest return.
 */
export async function benchBulk(environment: BenchEnvironment, options: { rounds?: number; templateRuns?: number } = {}): Promise<BulkResults> {
  const rounds = options.rounds ?? 3;
  const templateRuns = options.templateRuns ?? 10;
  const start = loadAverage();

  const { startLocalSystem } = await import('../local/system');
  const system = await startLocalSystem({ dynamodb: { endpoint: environment.dynamodbEndpoint }, tablePrefix: BENCH_TABLE_PREFIX, createTables: false, gateway: { port: 0 } });
  const url = system.url!;
  const issuer = system.issuer!;
  // Imported after the system has pointed the DynamoDB client (which takes DYNAMODB_ENDPOINT when it loads) at the bench's DynamoDB Local.
  const { putLocations } = await import('#shared/repositories/locations');
  const { putMemberships } = await import('#shared/repositories/memberships');
  const { writeLocationReturnsRequest, writeReturnRequest } = await import('#shared/repositories/return-writes');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const { addDays, londonDay, toInstant } = await import('#shared/model/returns/report-date');
  const { RETURN_SCHEMA_VERSION } = await import('#shared/model/schemas/return');
  const { BULK_COLUMNS, flattenReturn } = await import('#shared/model/returns/bulk');
  const { toCsv } = await import('#shared/http/csv');
  const { BULK_WRITE_CONCURRENCY } = await import('#shared/services/returns/bulk');
  const { designExample } = await import('#scripts/seed/design-example');

  const today = londonDay(new Date());
  const days = Array.from({ length: DAYS }, (_, index) => addDays(today, index - (DAYS - 1)));
  type Way = 'bulk' | 'singles' | 'bare' | 'bareConcurrent' | 'bareByLocation';
  const WAYS: Way[] = ['bulk', 'singles', 'bare', 'bareConcurrent', 'bareByLocation'];
  const user = (round: number) => `bench-bulk-${round}`;
  const homeId = (round: number, way: Way, home: number) => `1-5${round}${WAYS.indexOf(way)}${String(home).padStart(6, '0')}`;
  const placeOf = (home: number) => {
    const [localAuthority, region] = AREAS[home % AREAS.length]!;
    return { localAuthority, region, name: `Bench Bulk ${String(home).padStart(3, '0')}`, type: 'careHome' as const };
  };
  const example = designExample();
  const figures = (home: number, day: number): DailyReturnInput => ({ ...example, beds: { ...example.beds, occupied: 30 + ((home + day) % 10) } });
  const rowsOf = (round: number, way: Way) =>
    Array.from({ length: HOMES }, (_, home) => days.map((reportDate, day) => ({ locationId: homeId(round, way, home), home, reportDate, figures: figures(home, day) }))).flat();

  const show = progress('  loading bench homes and memberships', rounds);
  for (let round = 0; round < rounds; round += 1) {
    for (const way of WAYS) {
      const locations = Array.from({ length: HOMES }, (_, home) => ({
        locationId: homeId(round, way, home),
        providerId: '1-700000002',
        ...placeOf(home),
        categories: [...CARE_HOME_CATEGORIES],
        registeredBeds: 60,
        active: true,
        lastUpdated: null,
      }));
      await putLocations(locations);
      await putMemberships(locations.map(({ locationId }) => ({ userId: user(round), locationId, grantedAt: new Date().toISOString(), grantedBy: 'bench' })));
    }
    show(round + 1);
  }
  // A home of its own for the warm-up below (home HOMES of round 0's upload: past the homes the rounds write).
  const warmUpHome = homeId(0, 'bulk', HOMES);
  await putLocations([{ locationId: warmUpHome, providerId: '1-700000002', ...placeOf(0), categories: [...CARE_HOME_CATEGORIES], registeredBeds: 60, active: true, lastUpdated: null }]);
  await putMemberships([{ userId: user(0), locationId: warmUpHome, grantedAt: new Date().toISOString(), grantedBy: 'bench' }]);

  const tokens = await Promise.all(Array.from({ length: rounds }, (_, round) => issuer.sign({ sub: user(round), role: 'provider' })));
  const headers = (round: number, contentType: string) => ({ authorization: `Bearer ${tokens[round]!}`, 'content-type': contentType });

  const storedOf = (round: number, row: ReturnType<typeof rowsOf>[number]): StoredReturn => ({
    ...row.figures,
    locationId: row.locationId,
    reportDate: row.reportDate,
    version: 1,
    submittedAt: toInstant(new Date()),
    submittedBy: user(round),
    warnings: [],
    schemaVersion: RETURN_SCHEMA_VERSION,
  });
  /** A home's days are written oldest first: the first knows no newest date yet, each later one the day before it. */
  const bareWrite = (round: number, row: ReturnType<typeof rowsOf>[number]) => {
    const day = days.indexOf(row.reportDate);
    const guard = day === 0 ? { newestReportDate: undefined, recorded: false } : { newestReportDate: days[day - 1], recorded: true };
    return dynamo.send(new TransactWriteCommand(writeReturnRequest(storedOf(round, row), placeOf(row.home), undefined, guard, environment.tables)));
  };
  /** The first write of a home: all its days at once, as the upload writes them. */
  const bareHomeWrite = (round: number, rows: ReturnType<typeof rowsOf>) =>
    dynamo.send(
      new TransactWriteCommand(
        writeLocationReturnsRequest(rows.map((row) => ({ stored: storedOf(round, row), replacesVersion: undefined })), placeOf(rows[0]!.home), { newestReportDate: undefined, recorded: false }, environment.tables),
      ),
    );
  /** `work` over a way's homes (each its rows), BULK_WRITE_CONCURRENCY homes at once. */
  const byHome = async (round: number, way: Way, work: (rows: ReturnType<typeof rowsOf>) => Promise<unknown>) => {
    const rows = rowsOf(round, way);
    const homes = Array.from({ length: HOMES }, (_, home) => rows.filter((row) => row.home === home));
    let next = 0;
    await Promise.all(
      Array.from({ length: BULK_WRITE_CONCURRENCY }, async () => {
        while (next < homes.length) {
          const own = homes[next]!;
          next += 1;
          await work(own);
        }
      }),
    );
  };

  const run: Record<Way, (round: number) => Promise<number | undefined>> = {
    bulk: async (round) => {
      const rows = rowsOf(round, 'bulk');
      const csv = toCsv(BULK_COLUMNS, rows.map((row) => flattenReturn(row, row.figures)));
      const response = await fetch(`${url}/v1/returns/bulk`, { method: 'POST', headers: headers(round, 'text/csv; charset=utf-8'), body: csv });
      const text = await response.text();
      if (response.status !== 200) console.error(`\n  the upload answered ${response.status}: ${text.slice(0, 300)}`);
      return response.status;
    },
    singles: async (round) => {
      for (const row of rowsOf(round, 'singles')) {
        const response = await fetch(`${url}/v1/locations/${row.locationId}/returns/${row.reportDate}`, { method: 'PUT', headers: headers(round, 'application/json'), body: JSON.stringify(row.figures) });
        const text = await response.text();
        if (response.status !== 201) throw new Error(`PUT answered ${response.status}: ${text}`);
      }
      return undefined;
    },
    bare: async (round) => {
      for (const row of rowsOf(round, 'bare')) await bareWrite(round, row);
      return undefined;
    },
    bareConcurrent: async (round) => {
      // A home's days one after another, BULK_WRITE_CONCURRENCY homes at once.
      await byHome(round, 'bareConcurrent', async (rows) => {
        for (const row of rows) await bareWrite(round, row);
      });
      return undefined;
    },
    bareByLocation: async (round) => {
      // As the upload schedules them: one transaction of a home's days, BULK_WRITE_CONCURRENCY homes at once.
      await byHome(round, 'bareByLocation', (rows) => bareHomeWrite(round, rows));
      return undefined;
    },
  };

  const times: Record<Way, number[]> = { bulk: [], singles: [], bare: [], bareConcurrent: [], bareByLocation: [] };
  const bulkStatus: number[] = [];
  const showRuns = progress(
    `  ${HOMES * DAYS} rows five ways (an upload, PUTs one by one, bare writes one by one, ${BULK_WRITE_CONCURRENCY} homes at a time, and a home's days in one, ${BULK_WRITE_CONCURRENCY} at a time)`,
    rounds * WAYS.length,
  );
  try {
    // Warm up both routes' functions first (one upload of a row, one PUT), untimed: a cold start is not what
    // this measures (500 PUTs spread theirs over 500 calls, the upload would pay all of it in one).
    const warmUpFigures = figures(0, 0);
    const warmUpload = await fetch(`${url}/v1/returns/bulk`, {
      method: 'POST',
      headers: headers(0, 'text/csv; charset=utf-8'),
      body: toCsv(BULK_COLUMNS, [flattenReturn({ locationId: warmUpHome, reportDate: days[0]! }, warmUpFigures)]),
    });
    await warmUpload.text();
    const warmPut = await fetch(`${url}/v1/locations/${warmUpHome}/returns/${days[1]!}`, { method: 'PUT', headers: headers(0, 'application/json'), body: JSON.stringify(warmUpFigures) });
    await warmPut.text();
    if (warmUpload.status !== 200 || warmPut.status !== 201) throw new Error(`the warm-up answered ${warmUpload.status} (upload) and ${warmPut.status} (PUT)`);

    for (let round = 0; round < rounds; round += 1) {
      // Rotate who goes first, so no way always runs straight after another's writes.
      const order = [...WAYS.slice(round % WAYS.length), ...WAYS.slice(0, round % WAYS.length)];
      for (const [done, way] of order.entries()) {
        const started = performance.now();
        const status = await run[way](round);
        times[way].push(performance.now() - started);
        if (status !== undefined) bulkStatus.push(status);
        showRuns(round * WAYS.length + done + 1);
      }
    }

    // The template: a provider with 300 homes, every one with a latest return (round 0's: the upload's,
    // the PUTs' and the bare writes' homes).
    const templateUser = 'bench-bulk-template';
    const templateHomes = (['bulk', 'singles', 'bare'] as const).flatMap((way) => Array.from({ length: HOMES }, (_, home) => homeId(0, way, home))).slice(0, TEMPLATE_HOMES);
    await putMemberships(templateHomes.map((locationId) => ({ userId: templateUser, locationId, grantedAt: new Date().toISOString(), grantedBy: 'bench' })));
    const templateToken = await issuer.sign({ sub: templateUser, role: 'provider' });
    const templateTimes: number[] = [];
    let templateRows = 0;
    let templateBytes = 0;
    for (let index = 0; index < templateRuns + 1; index += 1) {
      const started = performance.now();
      const response = await fetch(`${url}/v1/returns/bulk/template.csv`, { headers: { authorization: `Bearer ${templateToken}` } });
      const bytes = Buffer.from(await response.arrayBuffer());
      const elapsed = performance.now() - started;
      if (response.status !== 200) throw new Error(`the template answered ${response.status}: ${bytes.toString('utf8').slice(0, 300)}`);
      // The first run warms the function's modules (a cold start is not what this measures).
      if (index === 0) continue;
      templateTimes.push(elapsed);
      templateBytes = bytes.byteLength;
      templateRows = bytes.toString('utf8').split('\r\n').filter(Boolean).length - 1;
    }

    const bulkMs = summarise(times.bulk);
    const singlePutsMs = summarise(times.singles);
    const bareMs = summarise(times.bare);
    const bareConcurrentMs = summarise(times.bareConcurrent);
    const bareByLocationMs = summarise(times.bareByLocation);
    const templateMs = summarise(templateTimes);
    const ratioToSinglePuts = ratio(bulkMs.p50, singlePutsMs.p50);
    return {
      target: BULK_TARGET,
      rows: HOMES * DAYS,
      homes: HOMES,
      days: DAYS,
      rounds,
      writeConcurrency: BULK_WRITE_CONCURRENCY,
      loadAverage: { start, end: loadAverage() },
      bulkMs,
      bulkStatus,
      singlePutsMs,
      bareMs,
      bareConcurrentMs,
      bareByLocationMs,
      ratioToSinglePuts,
      ratioToBare: ratio(bulkMs.p50, bareMs.p50),
      ratioToBareConcurrent: ratio(bulkMs.p50, bareConcurrentMs.p50),
      ratioToBareByLocation: ratio(bulkMs.p50, bareByLocationMs.p50),
      verdict: bulkStatus.every((status) => status === 200) ? verdict(ratioToSinglePuts, BULK_TARGET.vsSinglePuts) : 'misses',
      template: { homes: TEMPLATE_HOMES, rows: templateRows, bytes: templateBytes, latencyMs: templateMs, verdict: verdict(templateMs.p50, BULK_TARGET.templateMs) },
    };
  } finally {
    await system.stop();
  }
}

export function bulkMarkdown(results: BulkResults): string {
  const seconds = (summary: Summary) => `${cell(summary.p50 / 1000, 2)} (${cell(summary.min / 1000, 2)}–${cell(summary.max / 1000, 2)})`;
  return [
    `## Bulk upload: ${results.rows} rows (${results.homes} homes × ${results.days} days), ${results.rounds} rounds; load average ${results.loadAverage.start.join(' ')} → ${results.loadAverage.end.join(' ')}`,
    '',
    `Target: the upload in ≤ ${results.target.vsSinglePuts}× the time of ${results.rows} PUTs one after another; the template of ${results.template.homes} homes in < ${results.target.templateMs} ms. The upload writes ${results.writeConcurrency} homes at a time.`,
    '',
    '| way | wall p50 (s) (min–max) | ÷ the upload |',
    '|---|---|---|',
    `| one \`POST /v1/returns/bulk\` through the gateway (statuses ${results.bulkStatus.join(', ')}) | ${seconds(results.bulkMs)} | 1.00 |`,
    `| ${results.rows} PUTs through the gateway, one after another | ${seconds(results.singlePutsMs)} | ${cell(results.singlePutsMs.p50 / results.bulkMs.p50, 2)} |`,
    `| *baseline: ${results.rows} bare TransactWriteItems, one after another* | ${seconds(results.bareMs)} | ${cell(results.bareMs.p50 / results.bulkMs.p50, 2)} |`,
    `| *baseline: the same, ${results.writeConcurrency} homes at a time* | ${seconds(results.bareConcurrentMs)} | ${cell(results.bareConcurrentMs.p50 / results.bulkMs.p50, 2)} |`,
    `| *baseline: ${results.homes} bare TransactWriteItems of a home's ${results.days} days, ${results.writeConcurrency} at a time (as the upload writes)* | ${seconds(results.bareByLocationMs)} | ${cell(results.bareByLocationMs.p50 / results.bulkMs.p50, 2)} |`,
    '',
    `Upload ÷ ${results.rows} PUTs: **${cell(results.ratioToSinglePuts, 2)}** (${results.verdict}, ≤ ${results.target.vsSinglePuts}); upload ÷ bare writes one by one: ${cell(results.ratioToBare, 2)}; ÷ bare writes ${results.writeConcurrency} at a time: ${cell(results.ratioToBareConcurrent, 2)}; ÷ bare writes of a home's days at once: ${cell(results.ratioToBareByLocation, 2)}.`,
    '',
    `Template of ${results.template.homes} homes (${results.template.rows} rows, ${cell(results.template.bytes / 1024, 0)} KB): p50 ${cell(results.template.latencyMs.p50, 0)} ms, max ${cell(results.template.latencyMs.max, 0)} ms over ${results.template.latencyMs.runs} runs (${results.template.verdict}, < ${results.target.templateMs} ms).`,
  ].join('\n');
}
