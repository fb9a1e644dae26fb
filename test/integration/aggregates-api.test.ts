import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, test } from 'vitest';
import { areaKeyOf, type AreaRef } from '#shared/model/aggregates/areas';
import { METRICS } from '#shared/model/aggregates/metrics';
import { keys } from '#shared/model/keys';
import { batchPut } from '#shared/repositories/batch-write';
import { encodePageToken } from '#shared/repositories/pagination';
import { addDays } from '#shared/model/returns/report-date';
import { call, tokenFor, useGateway, type CallOptions } from '../helpers/api';

const gateway = useGateway();
const get = (path: string, as: CallOptions['as'] = 'national') => call(gateway.url(), 'GET', path, { as });

// A year of daily aggregates written straight into the table (as the aggregator would leave them), in
// 2025 so nothing else the tests do lands on these days.
const FIRST = '2025-01-01';
const DAYS = 365;
const AREAS: Array<AreaRef & { region?: string }> = [
  { level: 'england', area: 'E92000001' },
  { level: 'region', area: 'E12000002' },
  { level: 'region', area: 'E12000009' },
  { level: 'localAuthority', area: 'E08000004', region: 'E12000002' },
  { level: 'localAuthority', area: 'E08000003', region: 'E12000002' },
  { level: 'localAuthority', area: 'E06000027', region: 'E12000009' },
];
const valueOf = (areaIndex: number, day: number, metricIndex: number) => (areaIndex + 1) * 1000 + day + metricIndex;

beforeAll(async () => {
  const items = AREAS.flatMap((ref, areaIndex) =>
    Array.from({ length: DAYS }, (_, day) => {
      const date = addDays(FIRST, day);
      return {
        ...keys.aggregate(areaKeyOf(ref), date),
        level: ref.level,
        area: ref.area,
        dateArea: keys.dateArea(date, ref.area),
        ...(ref.region ? { region: ref.region } : {}),
        locationsExpected: 50,
        ...Object.fromEntries(METRICS.map((metric, metricIndex) => [metric, valueOf(areaIndex, day, metricIndex)])),
      };
    }),
  );
  await batchPut(process.env.AGGREGATES_TABLE!, items);
}, 120_000);

describe('GET /v1/aggregates', () => {
  test("one area's days, oldest first, in the shape of DESIGN §6", async () => {
    const response = await get(`/v1/aggregates?level=region&area=E12000002&from=2025-03-01&to=2025-03-03`);
    expect(response.status).toBe(200);
    expect(response.json.items.map((item: { date: string }) => item.date)).toEqual(['2025-03-01', '2025-03-02', '2025-03-03']);
    const day = 59; // 1 March
    expect(response.json.items[0]).toMatchObject({
      level: 'region',
      area: 'E12000002',
      locationsExpected: 50,
      locationsReporting: valueOf(1, day, 0),
      vacancies: { total: valueOf(1, day, 1), residential: valueOf(1, day, 2) },
      returnsWithWarnings: valueOf(1, day, METRICS.indexOf('returnsWithWarnings')),
    });
    expect(response.json.nextToken).toBeNull();
  });

  test('every area of a level for a day, and a page at a time', async () => {
    const all = await get('/v1/aggregates?level=localAuthority&from=2025-06-01&to=2025-06-01');
    expect(all.json.items.map((item: { area: string }) => item.area)).toEqual(['E06000027', 'E08000003', 'E08000004']);
    const first = await get('/v1/aggregates?level=region&area=E12000009&from=2025-01-01&to=2025-01-10&limit=4');
    expect(first.json.items).toHaveLength(4);
    const second = await get(`/v1/aggregates?level=region&area=E12000009&from=2025-01-01&to=2025-01-10&limit=4&nextToken=${first.json.nextToken}`);
    expect(second.json.items[0].date).toBe('2025-01-05');
  });

  test('a page that ended on the last day asked for is followed by an empty last page, not a 500', async () => {
    // DynamoDB hands back a key whenever a page is full, even when nothing follows (DynamoDB Local does not:
    // the token is made here as such a page would make it); DynamoDB then refuses to start from the range's
    // last day, which must read as "no more".
    const full = await get('/v1/aggregates?level=region&area=E12000009&from=2025-01-01&to=2025-01-04&limit=4');
    expect(full.json.items.map((item: { date: string }) => item.date)).toEqual(['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04']);
    const onLastDay = encodePageToken(keys.aggregate(areaKeyOf({ level: 'region', area: 'E12000009' }), '2025-01-04'));
    const last = await get(`/v1/aggregates?level=region&area=E12000009&from=2025-01-01&to=2025-01-04&limit=4&nextToken=${onLastDay}`);
    expect(last.status).toBe(200);
    expect(last.json).toEqual({ items: [], nextToken: null });
  });

  test('a commissioner sees its region and the authorities in it, and nothing else', async () => {
    const northWest = { sub: 'c-nw', role: 'commissioner' as const, areas: ['E12000002'] };
    const authorities = await get('/v1/aggregates?level=localAuthority&from=2025-06-01&to=2025-06-01', northWest);
    expect(authorities.json.items.map((item: { area: string }) => item.area)).toEqual(['E08000003', 'E08000004']);
    expect((await get('/v1/aggregates?level=region&area=E12000002&from=2025-06-01&to=2025-06-01', northWest)).status).toBe(200);
    expect((await get('/v1/aggregates?level=region&area=E12000009&from=2025-06-01&to=2025-06-01', northWest)).status).toBe(403);
    expect((await get('/v1/aggregates?level=localAuthority&area=E06000027&from=2025-06-01&to=2025-06-01', northWest)).status).toBe(403);
    expect((await get('/v1/aggregates?level=england&from=2025-06-01&to=2025-06-01', northWest)).status).toBe(403);
  });

  test('bad queries are 400s naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/v1/aggregates?level=county', 'query.level'],
      ['/v1/aggregates', 'query.level'],
      ['/v1/aggregates?level=region&area=E08000004', 'query.area'],
      ['/v1/aggregates?level=region&from=2025-02-01&to=2025-01-01', 'query.from'],
      ['/v1/aggregates?level=region&from=2024-01-01&to=2025-06-01', 'query.from'],
      ['/v1/aggregates?level=region&from=2025-02-30', 'query.from'],
      ['/v1/aggregates?level=region&from=9999-12-31', 'query.from'],
      ['/v1/aggregates?level=region&nextToken=abc', 'query.nextToken'],
    ];
    for (const [path, field] of cases) {
      const response = await get(path);
      expect(response.status, path).toBe(400);
      expect(response.json.errors.map((error: { path: string }) => error.path), path).toContain(field);
    }
  });
});

describe('GET /v1/locations/{id}/area', () => {
  test("a provider's authority today and yesterday, from its aggregate items", async () => {
    const { createLocation, today: londonToday } = await import('../helpers/api');
    const location = await createLocation({ localAuthority: 'E10000499', region: 'E12000006' });
    const date = londonToday();
    await batchPut(process.env.AGGREGATES_TABLE!, [
      { ...keys.aggregate('localAuthority#E10000499', date), level: 'localAuthority', area: 'E10000499', dateArea: keys.dateArea(date, 'E10000499'), region: 'E12000006', locationsExpected: 4, locationsReporting: 3, 'vacancies.total': 5, bedsOccupied: 95, bedsVacantReserved: 0, bedsVacantNotAdmittable: 0 },
    ]);
    const response = await get(`/v1/locations/${location.locationId}/area`, 'admin');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ localAuthority: 'E10000499', today: { date, locationsExpected: 4, locationsReporting: 3, vacancies: 5, bedsOccupied: 95, occupancy: 0.95 }, yesterday: { locationsReporting: 0, occupancy: null } });
  });
});

describe('GET /v1/exports/aggregates.csv', () => {
  test('a year of every area of every level parses back, row for row, in a CSV parser', async () => {
    for (const [level, areas] of [
      ['england', AREAS.filter((a) => a.level === 'england')],
      ['region', AREAS.filter((a) => a.level === 'region')],
      ['localAuthority', AREAS.filter((a) => a.level === 'localAuthority')],
    ] as const) {
      const response = await get(`/v1/exports/aggregates.csv?level=${level}&from=${FIRST}&to=${addDays(FIRST, DAYS - 1)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="aggregates-/);
      const rows: Record<string, string>[] = parse(response.text, { columns: true, bom: true });
      expect(rows).toHaveLength(DAYS * areas.length);
      expect(Object.keys(rows[0]!)).toEqual(['level', 'area', 'date', 'locationsExpected', ...METRICS]);
      const areaIndex = AREAS.findIndex((a) => a.area === rows[0]!.area);
      expect(Number(rows[0]!['vacancies.total'])).toBe(valueOf(areaIndex, 0, 1));
      expect(new Set(rows.map((row) => row.area))).toEqual(new Set(areas.map((a) => a.area)));
    }
  });

  test('compressed for a client that accepts gzip', async () => {
    // fetch would decompress silently; node:http shows the bytes as they travel.
    const token = await tokenFor('national');
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      request(new URL(`${gateway.url()}/v1/exports/aggregates.csv?level=region&from=2025-01-01&to=2025-01-31`), { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(raw.encoding).toBe('gzip');
    expect(parse(gunzipSync(raw.body).toString('utf8'), { columns: true })).toHaveLength(31 * 2);
  });
});
