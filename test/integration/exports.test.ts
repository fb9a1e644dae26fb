import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, test } from 'vitest';
import { METRICS } from '#shared/model/aggregates/metrics';
import { addDays } from '#shared/model/returns/report-date';
import { putAreas } from '#shared/repositories/areas';
import { listReturns } from '#shared/repositories/returns';
import { dayReturnsRequest } from '#shared/repositories/returns-by-day';
import { queryPages } from '#shared/repositories/paged-query';
import { keys } from '#shared/model/keys';
import type { StoredReturn } from '#shared/model/schemas/return';
import { aggregateKey, recomputeAggregates } from '#scripts/oracle/recompute';
import { call, createLocation, designExample, returnPath, today, useGateway, type Caller, type CallOptions } from '../helpers/api';
import { useAggregatorPoller } from '../helpers/search';
import { until } from '../helpers/wait';

const gateway = useGateway();
useAggregatorPoller();

// Councils of their own (valid codes no other test uses), so every row is ours.
const REGION = 'E12000009';
const WEST = 'E06000981';
const EAST = 'E06000982';
const commissioner: Caller = { sub: 'c-exports', role: 'commissioner', areas: [WEST, EAST] };

const api = (method: string, path: string, options: CallOptions = {}) => call(gateway.url(), method, path, { as: 'national', ...options });

const FROM = addDays(today(), -5);
const TO = today();
const days = Array.from({ length: 6 }, (_, i) => addDays(FROM, i));

type Placed = StoredReturn & { localAuthority: string; region: string; name: string };
let stored: Placed[] = [];

async function putReturn(locationId: string, reportDate: string, occupied: number) {
  const body = designExample();
  body.beds.occupied = occupied;
  const response = await call(gateway.url(), 'PUT', returnPath(locationId, reportDate), { as: 'admin', body });
  expect(response.status, JSON.stringify(response.json)).toBeLessThan(300);
}

/** Every stored return of ours in the range, read from the returns table itself (not the index the export reads). */
async function storedReturns(locations: ReadonlyArray<{ locationId: string; localAuthority: string; region: string; name: string }>): Promise<Placed[]> {
  const found: Placed[] = [];
  for (const location of locations) {
    const page = await listReturns({ locationId: location.locationId, from: FROM, to: TO, limit: 100 });
    found.push(...page.items.map((item) => ({ ...item, localAuthority: location.localAuthority, region: location.region, name: location.name })));
  }
  return found;
}

/** POST the export, wait for the worker, and download it through the presigned link. */
async function exported(body: Record<string, unknown>, as: CallOptions['as'] = 'national'): Promise<{ job: Record<string, unknown>; bytes: Buffer }> {
  const created = await api('POST', '/v1/exports', { body, as });
  expect(created.status, JSON.stringify(created.json)).toBe(202);
  expect(created.json).toMatchObject({ status: 'pending', kind: body.kind });
  const id = created.json.exportId as string;
  let job: Record<string, unknown> = {};
  await until(
    async () => {
      job = (await api('GET', `/v1/exports/${id}`, { as })).json;
      return job.status === 'ready' || job.status === 'failed';
    },
    { what: `export ${id} to finish`, timeoutMs: 60_000, intervalMs: 100 },
  );
  expect(job.status, JSON.stringify(job)).toBe('ready');
  const download = await fetch(String(job.url));
  expect(download.status).toBe(200);
  expect(download.headers.get('content-disposition')).toContain(String(job.filename));
  const bytes = Buffer.from(await download.arrayBuffer());
  expect(bytes.length).toBe(job.bytes);
  return { job, bytes };
}

beforeAll(async () => {
  await putAreas([
    { level: 'localAuthority', code: WEST, name: 'West Exportshire', parent: REGION },
    { level: 'localAuthority', code: EAST, name: 'East Exportshire', parent: REGION },
  ]);
  const one = await createLocation({ localAuthority: WEST, region: REGION, name: 'Alder House' });
  const two = await createLocation({ localAuthority: WEST, region: REGION, name: 'Birch Lodge' });
  const three = await createLocation({ localAuthority: EAST, region: REGION, name: '=Cedar Court' });
  // Nobody reports on FROM; some days are reported late (more than 24 hours after the day's end).
  for (const [i, day] of days.slice(2).entries()) await putReturn(one.locationId, day, 20 + i);
  for (const day of days.slice(4)) await putReturn(two.locationId, day, 30);
  await putReturn(three.locationId, days[3]!, 40);
  await putReturn(one.locationId, TO, 25); // a correction: version 2
  const locations = [one, two, three];
  stored = await storedReturns(locations);
  expect(stored).toHaveLength(4 + 2 + 1);
  // The aggregator has applied every version when the API's figures equal a recomputation from the returns.
  const expected = recomputeAggregates(stored);
  await until(
    async () => {
      const page = await api('GET', `/v1/aggregates?level=localAuthority&area=${WEST}&from=${FROM}&to=${TO}`);
      return page.json.items.length === 4 && page.json.items.every((item: { date: string; bedsOccupied: number }) => expected.get(aggregateKey(`localAuthority#${WEST}`, item.date))?.bedsOccupied === item.bedsOccupied);
    },
    { what: 'the aggregates of the returns', timeoutMs: 60_000 },
  );
});

describe('export jobs', () => {
  test('returns: one row per location and day, every field, read back row for row from the stored returns', async () => {
    const { bytes } = await exported({ kind: 'returns', level: 'region', area: REGION, from: FROM, to: TO, format: 'csv' });
    const rows = parse(bytes.toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    const ours = rows.filter((row) => stored.some((item) => item.locationId === row.locationId));
    const expected = [...stored].sort((a, b) => a.reportDate.localeCompare(b.reportDate) || a.localAuthority.localeCompare(b.localAuthority) || a.locationId.localeCompare(b.locationId));
    expect(ours.map((row) => `${row.reportDate} ${row.locationId}`)).toEqual(expected.map((item) => `${item.reportDate} ${item.locationId}`));
    for (const [i, item] of expected.entries()) {
      const row = ours[i]!;
      expect(row).toMatchObject({
        // A name a spreadsheet would run as a formula is neutralised.
        name: item.name.startsWith('=') ? `'${item.name}` : item.name,
        localAuthority: item.localAuthority,
        region: REGION,
        version: String(item.version),
        submittedAt: item.submittedAt,
        'beds.occupied': String(item.beds.occupied),
        'vacancies.nursing.female': String(item.vacancies.nursing?.female ?? ''),
        'admissions.status': item.admissions.status,
        'outbreak.active': String(item.outbreak.active),
        'workforce.staffEmployed': String(item.workforce.staffEmployed),
        warnings: item.warnings.map((warning) => warning.code).join(' '),
      });
    }
    // Every row of the file is in the region asked for.
    expect(rows.every((row) => row.region === REGION)).toBe(true);
  });

  test('aggregates: a row for every day, "0 reporting" on a day nobody reported, each figure equal to a recomputation', async () => {
    const { bytes } = await exported({ kind: 'aggregates', level: 'localAuthority', area: WEST, from: FROM, to: TO, format: 'csv' });
    const rows = parse(bytes.toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => row.date)).toEqual(days);
    const recomputed = recomputeAggregates(stored);
    for (const row of rows) {
      expect(row).toMatchObject({ level: 'localAuthority', area: WEST, areaName: 'West Exportshire' });
      const sums = recomputed.get(aggregateKey(`localAuthority#${WEST}`, row.date!));
      for (const metric of METRICS) expect(Number(row[metric]), `${row.date} ${metric}`).toBe(sums?.[metric] ?? 0);
    }
    expect(rows[0]).toMatchObject({ locationsReporting: '0', 'vacancies.total': '0' });
  });

  test('completeness as gzipped JSON Lines for a commissioner: their councils only, each day, reported and on time', async () => {
    const { job, bytes } = await exported({ kind: 'completeness', level: 'localAuthority', from: FROM, to: TO, format: 'jsonl', compression: 'gzip' }, commissioner);
    expect(job.filename).toMatch(/\.jsonl\.gz$/);
    const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(days.length * 2);
    for (const line of lines) {
      const reported = stored.filter((item) => item.localAuthority === line.area && item.reportDate === line.date);
      // Returns were all first stored now: on time for today and yesterday only.
      const onTime = reported.filter((item) => item.reportDate >= addDays(TO, -1));
      expect(line, `${line.area} ${line.date}`).toMatchObject({ level: 'localAuthority', locationsReporting: reported.length, locationsReportingOnTime: onTime.length });
      expect(line.areaName as string).toBe(line.area === WEST ? 'West Exportshire' : 'East Exportshire');
      const expected = Number(line.locationsExpected);
      expect(line.reportingShare).toBe(expected > 0 ? Math.round((reported.length / expected) * 10_000) / 10_000 : null);
    }
  });

  test('a day read a page ahead, one return a page, gives every return once, in place order', async () => {
    const day = TO;
    const pages: string[][] = [];
    // The council's prefix: the region holds other files' locations too.
    for await (const page of queryPages({ ...dayReturnsRequest(day, keys.returnPlacePrefix(REGION, WEST)), Limit: 1 })) pages.push(page.map((item) => String(item.locationId)));
    const expected = stored.filter((item) => item.reportDate === day && item.localAuthority === WEST).sort((a, b) => a.locationId.localeCompare(b.locationId));
    expect(expected.length).toBeGreaterThan(1);
    expect(pages.flat()).toEqual(expected.map((item) => item.locationId));
    expect(pages.slice(0, expected.length).every((page) => page.length === 1)).toBe(true);
  });

  test('GET /v1/completeness with a range gives the same figures per day', async () => {
    const series = await api('GET', `/v1/completeness?level=localAuthority&area=${WEST}&from=${FROM}&to=${TO}`);
    expect(series.status).toBe(200);
    expect(series.json.nextToken).toBeNull();
    expect(series.json.items.map((item: { date: string; locationsReporting: number }) => [item.date, item.locationsReporting])).toEqual(
      days.map((day) => [day, stored.filter((item) => item.localAuthority === WEST && item.reportDate === day).length]),
    );
    expect((await api('GET', `/v1/completeness?level=localAuthority&area=${WEST}&from=${FROM}&to=${TO}&nextToken=bm9wZQ`)).status).toBe(400);
  });
});

describe('export requests that cannot be met', () => {
  const valid = { kind: 'aggregates', level: 'localAuthority', area: WEST, from: FROM, to: TO, format: 'csv' };
  const problem = async (body: unknown, as: CallOptions['as'] = 'national') => {
    const response = await api('POST', '/v1/exports', { body, as });
    return { status: response.status, type: response.headers.get('content-type'), paths: (response.json.errors ?? []).map((error: { path: string }) => error.path) };
  };

  test('bad ranges, disagreeing level and area, unknown fields: 400 problem+json naming the field of the body', async () => {
    expect(await problem({ ...valid, to: addDays(TO, 1) })).toMatchObject({ status: 400, paths: ['to'] });
    expect(await problem({ ...valid, from: '2022-01-01', to: '2025-12-31' })).toMatchObject({ status: 400, paths: ['from'] });
    expect(await problem({ ...valid, from: TO, to: FROM })).toMatchObject({ status: 400, paths: ['from'] });
    expect(await problem({ ...valid, level: 'region' })).toMatchObject({ status: 400, paths: ['area'] });
    expect(await problem({ ...valid, format: 'xlsx' })).toMatchObject({ status: 400, paths: ['format'] });
    expect((await problem({ ...valid, everything: true })).status).toBe(400);
    expect((await problem({ ...valid, to: addDays(TO, 1) })).type).toContain('application/problem+json');
  });

  test("an area outside the caller's is 403; a provider or discharge user may not export at all", async () => {
    expect((await problem({ ...valid, area: 'E08000004' }, commissioner)).status).toBe(403);
    expect((await problem({ ...valid, level: 'region', area: REGION }, commissioner)).status).toBe(403);
    expect((await problem(valid, 'discharge')).status).toBe(403);
    expect((await problem(valid, 'provider-single-site')).status).toBe(403);
  });

  test("another caller's export is not found; a malformed id is a 400", async () => {
    const created = await api('POST', '/v1/exports', { body: valid });
    expect(created.status).toBe(202);
    const theirs = await api('GET', `/v1/exports/${created.json.exportId}`, { as: commissioner });
    expect(theirs.status).toBe(404);
    expect(theirs.json.url).toBeUndefined();
    expect((await api('GET', '/v1/exports/not-an-id')).status).toBe(400);
  });
});
