import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lambdaContext } from '../local/lambda-context';
import type { PostcodeDistrict } from '#shared/model/directory/postcodes';
import type { VacancyEntry, VacancyIndexEntry } from '#shared/model/vacancies/entries';
import type { Point } from '#shared/model/vacancies/geo';
import type { VacancyFilters } from '#shared/repositories/vacancies';
import type { BenchEnvironment } from './environment';
import { progress } from './environment';
import { benchStoredReturn } from './vacancies';
import { cell, loadAverage, round, summarise, verdict } from './stats';

/** One search, first page or every page: what it returned, what it read, and how long it took. */
export interface NearBenchRow {
  /** `near=` of the search (a postcode district) and the town it is. */
  near: string;
  town: string;
  setting: 'city' | 'rural';
  /** `first`: the first page; `all`: paging through every result, the token of each page to the next. */
  pages: 'first' | 'all';
  /** Pages read (1 for `first`). */
  pageCount: number;
  results: number;
  /** Index entries read (DynamoDB's ScannedCount, summed): `read` of searchNear. */
  read: number;
  /** Queries made (one per key range; a range that needs a second page of DynamoDB's counts once). */
  queries: number;
  /** Rings read, over all the pages. */
  rings: number;
  /** Farthest result, miles. */
  farthestMiles: number;
  /**
   * What the entries read were, by where each lay against the ring of the page that read it: returned;
   * in the ring's hole (no farther than where the ring starts: returned by an earlier page or read by an
   * earlier ring, read again because a row's range can drop only what the whole height of the row has
   * inside the inner circle); beyond the ring (the corners of a row's range); in the ring but past the
   * page's limit (read again by the next page).
   */
  readAs: { returned: number; inHole: number; beyondRing: number; pastPage: number };
  /** The real handler, invoked in-process with an API Gateway event (all pages: the pages one after another). */
  handlerP50: number;
  handlerP99: number;
  /** searchNear called directly: the Queries, the distances and the order, without the handler around them. */
  serviceP50: number;
  serviceP99: number;
  /** The same Queries issued directly: each ring's key ranges in parallel, the rings one after another. */
  bareP50: number;
  bareP99: number;
  ratioP50: number;
  readPerResult: number;
  /** Against the targets (p50 ≤ 1.5× bare, read ≤ 2× returned). */
  ratioVerdict: 'meets' | 'misses';
  readVerdict: 'meets' | 'misses';
}

export interface NearResults {
  at: string;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  locations: number;
  withVacancies: number;
  /** English postcode districts the locations are spread over (round-robin, ≤ 0.01° jitter). */
  districts: number;
  withinMiles: number;
  limit: number;
  runs: { first: number; all: number; warmUp: number };
  target: { ratioP50: number; readPerResult: number };
  rows: NearBenchRow[];
}

const LOCATIONS = 30_000;
const WITHIN_MILES = 20;
const LIMIT = 50;
const TARGET = { ratioP50: 1.5, readPerResult: 2 };
/** Postcode areas outside England: Scotland, Wales, Northern Ireland, and the Crown dependencies (not in the directory). */
const NOT_ENGLAND = new Set(['AB', 'DD', 'DG', 'EH', 'FK', 'G', 'HS', 'IV', 'KA', 'KW', 'KY', 'ML', 'PA', 'PH', 'TD', 'ZE', 'CF', 'LD', 'LL', 'NP', 'SA', 'BT', 'GY', 'JE', 'IM']);
const SEARCHES: Array<{ near: string; setting: 'city' | 'rural' }> = [
  { near: 'M1', setting: 'city' },
  { near: 'B1', setting: 'city' },
  { near: 'EX20', setting: 'rural' },
  { near: 'LN11', setting: 'rural' },
];
/** Some authority codes for the entries' area fields (a near search does not read them). */
const AREAS: Array<[string, string]> = [
  ['E08000003', 'E12000002'], ['E08000025', 'E12000005'], ['E06000027', 'E12000009'], ['E07000142', 'E12000004'], ['E09000033', 'E12000007'],
];

const areaOf = (code: string) => /^[A-Z]+/.exec(code)![0];
/** A deterministic offset in [-0.01°, 0.01°]. */
const jitter = (i: number, salt: number) => ((((i + 1) * salt) % 2001) - 1000) / 100_000;

/**
 * Searching near a place over 30,000 locations at real English postcode district centres (a third with a
 * vacancy, all updated within the day), 20 miles around a city district and a rural one, first page and
 * every page: the real handler in-process, the service alone, and the same Queries issued bare (the rings
 * the service read, replayed with `ringRanges`, each ring's ranges in parallel as the service does).
 */
export async function benchNearSearch(environment: BenchEnvironment, options: { firstRuns?: number; allRuns?: number; warmUp?: number } = {}): Promise<NearResults> {
  const firstRuns = options.firstRuns ?? 200;
  const allRuns = options.allRuns ?? 100;
  const warmUp = options.warmUp ?? 10;
  const { REPO_ROOT } = await import('../local/lambda-runtime');
  const { batchPut } = await import('#shared/repositories/batch-write');
  const { vacancyEntries } = await import('#shared/model/vacancies/entries');
  const { toReturnItem } = await import('#shared/model/returns/return-item');
  const { parsePostcodeDistricts } = await import('#shared/model/directory/postcodes');
  const { putPostcodeDistricts } = await import('#shared/repositories/places');
  const { milesBetween, ringRanges } = await import('#shared/model/vacancies/geo');
  const { nearRangeRequest } = await import('#shared/repositories/vacancies');
  const { searchNear } = await import('#shared/services/vacancies/near');
  const { toInstant } = await import('#shared/model/returns/report-date');
  const { handler } = await import('#functions/vacancies');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const startLoad = loadAverage();
  const now = Date.now();

  // Every district into the places table (as `npm run import:places`), so the handler can place `near`.
  const all = parsePostcodeDistricts(readFileSync(join(REPO_ROOT, '..', 'shared', 'data', 'geo', 'postcode-districts.csv'), 'utf8'));
  for (let done = 0; done < all.length; done += 500) await putPostcodeDistricts(all.slice(done, done + 500));
  const england = all.filter((district) => !NOT_ENGLAND.has(areaOf(district.code)));
  const byCode = new Map(all.map((district) => [district.code, district]));

  // The locations, round-robin over England's districts; a third with a vacancy (shifted a district each
  // round, so which districts have them does not depend on how many there are).
  const show = progress(`  indexing ${LOCATIONS} locations over ${england.length} districts`, LOCATIONS);
  let withVacancies = 0;
  for (let start = 0; start < LOCATIONS; start += 3000) {
    const entries: VacancyIndexEntry[] = [];
    for (let i = start; i < Math.min(LOCATIONS, start + 3000); i += 1) {
      const district = england[i % england.length]!;
      if ((i + Math.floor(i / england.length)) % 3 !== 0) continue;
      withVacancies += 1;
      const [localAuthority, region] = AREAS[i % AREAS.length]!;
      const item = toReturnItem(
        benchStoredReturn(i, '1-5', now),
        { localAuthority, region, name: `Bench Home ${i}`, type: 'careHome' },
      );
      entries.push(
        ...vacancyEntries(item, {
          address: `${i % 200} High Street, ${district.town ?? district.area ?? district.code}`,
          postcode: `${district.code} ${i % 10}AB`,
          phone: `0161 ${String(i).padStart(7, '0')}`,
          latitude: round(district.latitude + jitter(i, 7919), 5),
          longitude: round(district.longitude + jitter(i, 104_729), 5),
        }),
      );
    }
    await Promise.all([0, 1, 2, 3].map((part) => batchPut(environment.tables.vacancyIndex, entries.filter((_, index) => index % 4 === part) as unknown as Record<string, unknown>[])));
    show(Math.min(LOCATIONS, start + 3000));
  }

  // A context per invocation, as Lambda gives: its deadline (29 s from when it is made) is what middy's
  // early timeout counts down from, so one context kept for the whole bench would time the handler out.
  const contextNow = (): Context => lambdaContext('searchVacancies', 29_000);
  const eventOf = (query: Record<string, string>) => ({
    version: '2.0',
    routeKey: 'GET /v1/vacancies',
    rawPath: '/v1/vacancies',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    requestContext: { http: { method: 'GET', path: '/v1/vacancies' }, authorizer: { lambda: { kind: 'user', userId: 'bench', role: 'national', areas: '' } } },
    isBase64Encoded: false,
  });
  /** The handler's pages, one after another (`first`: just the first); the results of each. */
  async function viaHandler(near: string, pages: 'first' | 'all'): Promise<number[]> {
    const counts: number[] = [];
    let token: string | null = null;
    do {
      const query: Record<string, string> = { near, withinMiles: String(WITHIN_MILES), limit: String(LIMIT), ...(token ? { nextToken: token } : {}) };
      const response = (await handler(eventOf(query) as never, contextNow())) as APIGatewayProxyStructuredResultV2;
      if (response.statusCode !== 200) throw new Error(`near=${near} answered ${response.statusCode}: ${response.body}`);
      const page = JSON.parse(response.body!) as { items: unknown[]; nextToken: string | null };
      counts.push(page.items.length);
      token = page.nextToken;
    } while (token && pages === 'all');
    return counts;
  }
  // The filters the handler makes of these queries (category any, anyone, admitting or not, 72 hours).
  const filtersNow = (): VacancyFilters => ({ category: 'any', admittingOnly: false, updatedSince: toInstant(new Date(Date.now() - 72 * 3_600_000)) });
  /** searchNear's pages: what each read and the rings it read. */
  async function viaService(center: Point, pages: 'first' | 'all') {
    const out: Array<{ results: number; ids: Set<string>; read: number; queries: number; rings: Array<[number, number]>; farthest: number }> = [];
    let token: string | null = null;
    const filters = filtersNow();
    do {
      const page = await searchNear({ center, withinMiles: WITHIN_MILES, filters, limit: LIMIT, nextToken: token ?? undefined });
      out.push({ results: page.items.length, ids: new Set(page.items.map((item) => item.locationId)), read: page.read, queries: page.queries, rings: page.rings, farthest: page.items.at(-1)?.distanceMiles ?? 0 });
      token = page.nextToken;
    } while (token && pages === 'all');
    return out;
  }
  /** One key range, bare: the very Query nearRangeEntries makes (nearRangeRequest), every DynamoDB page of it. */
  async function bareRange(range: { row: number; from: string; to: string }, filters: VacancyFilters): Promise<{ read: number; requests: number }> {
    let read = 0;
    let requests = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand(nearRangeRequest(range, filters, startKey, environment.tables.vacancyIndex)),
      );
      read += page.ScannedCount ?? 0;
      requests += 1;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { read, requests };
  }
  /** The pages' rings replayed bare: per page, ring after ring, each ring's ranges in parallel. */
  async function bare(center: Point, pageRings: ReadonlyArray<ReadonlyArray<[number, number]>>): Promise<{ read: number; requests: number }> {
    const filters = filtersNow();
    let read = 0;
    let requests = 0;
    for (const rings of pageRings) {
      for (const [inner, outer] of rings) {
        const results = await Promise.all(ringRanges(center, inner, outer).map((range) => bareRange(range, filters)));
        for (const result of results) {
          read += result.read;
          requests += result.requests;
        }
      }
    }
    return { read, requests };
  }

  /** Each page's rings read once more (untimed), every entry classed by where it lies against its ring. */
  async function classify(center: Point, pages: ReadonlyArray<{ ids: Set<string>; rings: ReadonlyArray<[number, number]> }>): Promise<NearBenchRow['readAs']> {
    const filters = filtersNow();
    const readAs = { returned: 0, inHole: 0, beyondRing: 0, pastPage: 0 };
    for (const page of pages) {
      for (const [inner, outer] of page.rings) {
        for (const range of ringRanges(center, inner, outer)) {
          let startKey: Record<string, unknown> | undefined;
          do {
            const result = await dynamo.send(
              new QueryCommand(nearRangeRequest(range, filters, startKey, environment.tables.vacancyIndex)),
            );
            if ((result.ScannedCount ?? 0) !== (result.Items?.length ?? 0)) throw new Error('the filter dropped entries: every bench entry is fresh');
            for (const entry of (result.Items ?? []) as VacancyIndexEntry[]) {
              const miles = milesBetween(center, { latitude: entry.latitude!, longitude: entry.longitude! });
              if (miles > outer) readAs.beyondRing += 1;
              else if (miles <= inner) readAs.inHole += 1;
              else if (page.ids.has(entry.locationId)) readAs.returned += 1;
              else readAs.pastPage += 1;
            }
            startKey = result.LastEvaluatedKey;
          } while (startKey);
        }
      }
    }
    return readAs;
  }

  const rows: NearBenchRow[] = [];
  for (const search of SEARCHES) {
    const district: PostcodeDistrict = byCode.get(search.near) ?? (() => { throw new Error(`no district ${search.near} in postcode-districts.csv`); })();
    const center = { latitude: district.latitude, longitude: district.longitude };
    for (const pages of ['first', 'all'] as const) {
      const label = `  near=${search.near} (${district.town ?? district.area}), ${pages === 'first' ? 'first page' : 'every page'}`;
      const counted = await viaService(center, pages);
      const results = counted.reduce((sum, page) => sum + page.results, 0);
      const read = counted.reduce((sum, page) => sum + page.read, 0);
      const queries = counted.reduce((sum, page) => sum + page.queries, 0);
      const pageRings = counted.map((page) => page.rings);
      const handlerCounts = await viaHandler(search.near, pages);
      if (handlerCounts.join(',') !== counted.map((page) => page.results).join(',')) {
        throw new Error(`near=${search.near}: the handler's pages (${handlerCounts.join(',')}) are not the service's (${counted.map((page) => page.results).join(',')})`);
      }
      const replay = await bare(center, pageRings);
      if (replay.read !== read) throw new Error(`near=${search.near}: the bare replay read ${replay.read} entries, the service ${read}`);
      const readAs = await classify(center, counted);
      if (readAs.returned !== results) throw new Error(`near=${search.near}: ${readAs.returned} entries read lie in their ring and were returned, but ${results} were returned`);

      const runs = pages === 'first' ? firstRuns : allRuns;
      const handlerTimes: number[] = [];
      const serviceTimes: number[] = [];
      const bareTimes: number[] = [];
      const show = progress(label, runs);
      for (let run = -warmUp; run < runs; run += 1) {
        let started = performance.now();
        await viaHandler(search.near, pages);
        const handlerMs = performance.now() - started;
        started = performance.now();
        await viaService(center, pages);
        const serviceMs = performance.now() - started;
        started = performance.now();
        await bare(center, pageRings);
        const bareMs = performance.now() - started;
        if (run < 0) continue;
        handlerTimes.push(handlerMs);
        serviceTimes.push(serviceMs);
        bareTimes.push(bareMs);
        show(run + 1);
      }
      const handler = summarise(handlerTimes);
      const service = summarise(serviceTimes);
      const bareSummary = summarise(bareTimes);
      const ratioP50 = handler.p50 / bareSummary.p50;
      const readPerResult = results > 0 ? read / results : Number.NaN;
      rows.push({
        near: search.near,
        town: district.town ?? district.area ?? search.near,
        setting: search.setting,
        pages,
        pageCount: counted.length,
        results,
        read,
        queries,
        rings: pageRings.reduce((sum, rings) => sum + rings.length, 0),
        farthestMiles: round(counted.at(-1)?.farthest ?? 0, 2),
        readAs,
        handlerP50: round(handler.p50, 2),
        handlerP99: round(handler.p99, 2),
        serviceP50: round(service.p50, 2),
        serviceP99: round(service.p99, 2),
        bareP50: round(bareSummary.p50, 2),
        bareP99: round(bareSummary.p99, 2),
        ratioP50: round(ratioP50, 3),
        readPerResult: round(readPerResult, 3),
        ratioVerdict: verdict(ratioP50, TARGET.ratioP50),
        readVerdict: verdict(readPerResult, TARGET.readPerResult),
      });
    }
  }
  return {
    at: new Date().toISOString(),
    loadAverage: { start: startLoad, end: loadAverage() },
    locations: LOCATIONS,
    withVacancies,
    districts: england.length,
    withinMiles: WITHIN_MILES,
    limit: LIMIT,
    runs: { first: firstRuns, all: allRuns, warmUp },
    target: TARGET,
    rows,
  };
}

const searchLabel = (row: NearBenchRow) => `${row.near} (${row.town}, ${row.setting}), ${row.pages === 'first' ? 'first page' : 'every page'}`;

/** The table `npm run bench` prints (scripts/docs/generate.ts renders the same from bench/results.json). */
export function nearMarkdown(results: NearResults): string {
  const lines = [
    `## Searching near a place over ${results.locations.toLocaleString('en-GB')} locations (${results.withinMiles} miles, ${results.limit} a page; load average ${results.loadAverage.start.join(' ')} → ${results.loadAverage.end.join(' ')})`,
    '',
    `${results.withVacancies} of them with a vacancy, over ${results.districts} English postcode districts; ${results.runs.first} runs of a first page, ${results.runs.all} of every page, after ${results.runs.warmUp} to warm up. Targets: handler p50 ≤ ${results.target.ratioP50}× the bare Queries, entries read ≤ ${results.target.readPerResult}× results.`,
    '',
    '| search | pages | results | entries read | Queries | rings | handler p50 (ms) | handler p99 (ms) | service p50 (ms) | bare Queries p50 (ms) | bare Queries p99 (ms) | p50 ÷ bare | read ÷ returned | vs targets |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    lines.push(
      `| ${searchLabel(row)} | ${row.pageCount} | ${row.results} | ${row.read} | ${row.queries} | ${row.rings} | ${cell(row.handlerP50)} | ${cell(row.handlerP99)} | ${cell(row.serviceP50)} | ${cell(row.bareP50)} | ${cell(row.bareP99)} | ${cell(row.ratioP50, 2)} | ${cell(row.readPerResult, 2)} | time ${row.ratioVerdict}, read ${row.readVerdict} |`,
    );
  }
  lines.push(
    '',
    'What the entries read were, against the ring of the page that read them:',
    '',
    '| search | entries read | returned | in the ring\'s hole (read again) | beyond the ring (row corners) | in the ring, past the page (read again) |',
    '|---|---|---|---|---|---|',
  );
  for (const row of results.rows) {
    lines.push(`| ${searchLabel(row)} | ${row.read} | ${row.readAs.returned} | ${row.readAs.inHole} | ${row.readAs.beyondRing} | ${row.readAs.pastPage} |`);
  }
  return lines.join('\n');
}
