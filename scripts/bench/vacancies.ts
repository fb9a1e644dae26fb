import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from '../local/lambda-context';
import type { VacancyIndexEntry } from '#shared/model/vacancies/entries';
import type { StoredReturn } from '#shared/model/schemas/return';
import type { VacancySearch } from '#shared/repositories/vacancies';
import type { BenchEnvironment } from './environment';
import { percentile, progress } from './environment';

export interface SearchBenchRow {
  search: string;
  results: number;
  handlerP50: number;
  handlerP99: number;
  bareP50: number;
  bareP99: number;
  ratioP50: number;
}

const LOCATIONS = 30_000;
const WITH_VACANCIES_EVERY = 3;
const RUNS = 200;
const AREAS: Array<[string, string]> = [
  ['E08000004', 'E12000002'], ['E08000003', 'E12000002'], ['E06000027', 'E12000009'], ['E06000026', 'E12000009'], ['E09000033', 'E12000007'],
  ['E08000025', 'E12000005'], ['E06000018', 'E12000004'], ['E08000021', 'E12000001'], ['E08000035', 'E12000003'], ['E06000045', 'E12000008'],
];

/**
 * The stored return of bench location `i` (`idPrefix` + i): residential beds for women (and men for odd
 * i), some nursing beds for anyone, one in eleven closed with an outbreak, updated within the last 20 hours.
 */
export function benchStoredReturn(i: number, idPrefix: string, now: number): StoredReturn {
  return {
    vacancies: { residential: { male: i % 2, female: 1, any: 0 }, nursing: { male: 0, female: 0, any: Math.floor(i / 3) % 3 } },
    beds: { occupied: 30, vacantReserved: 0, vacantNotAdmittable: 0 },
    admissions: { status: i % 11 === 0 ? 'closed' : 'open', ...(i % 11 === 0 ? { reason: 'outbreak' as const } : {}) },
    outbreak: { active: i % 11 === 0, residentsConfirmed: 0, residentsSuspected: 0, staffConfirmed: 0 },
    workforce: { staffEmployed: 40, staffAbsent: 1, staffAbsentCovid: 0, agencyStaffShifts: 0 },
    ppe: { gloves: 30, aprons: 30, fluidResistantMasks: 30, ffp3Masks: 30, eyeProtection: 30, handHygiene: 30 },
    visiting: 'open',
    locationId: `${idPrefix}${String(i).padStart(8, '0')}`,
    reportDate: '2026-11-24',
    version: 1,
    submittedAt: new Date(now - ((i * 7919) % (20 * 3_600_000))).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    submittedBy: 'bench',
    warnings: [],
    schemaVersion: 1,
  } as StoredReturn;
}

/**
 * Vacancy search over 30,000 locations (a third with a vacancy, all updated within the day): the real
 * handler, invoked in-process with an API Gateway event as the gateway builds it, beside the first Query
 * its search makes (the same request builder), bare, on the same DynamoDB Local.
 */
export async function benchVacancySearch(environment: BenchEnvironment): Promise<SearchBenchRow[]> {
  const { batchPut } = await import('#shared/repositories/batch-write');
  const { vacancyEntries } = await import('#shared/model/vacancies/entries');
  const { toReturnItem } = await import('#shared/model/returns/return-item');
  const { handler } = await import('#functions/vacancies');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const { searchVacanciesRequest } = await import('#shared/repositories/vacancies');
  const now = Date.now();

  const show = progress(`  indexing ${LOCATIONS} locations`, LOCATIONS);
  for (let start = 0; start < LOCATIONS; start += 3000) {
    const entries: VacancyIndexEntry[] = [];
    for (let i = start; i < Math.min(LOCATIONS, start + 3000); i += 1) {
      if (i % WITH_VACANCIES_EVERY !== 0) continue;
      const [localAuthority, region] = AREAS[i % AREAS.length]!;
      const item = toReturnItem(
        benchStoredReturn(i, '1-4', now),
        { localAuthority, region, name: `Bench Home ${i}`, type: 'careHome' },
      );
      entries.push(...vacancyEntries(item));
    }
    await Promise.all([0, 1, 2, 3].map((part) => batchPut(environment.tables.vacancyIndex, entries.filter((_, index) => index % 4 === part) as unknown as Record<string, unknown>[])));
    show(Math.min(LOCATIONS, start + 3000));
  }

  const since = new Date(now - 72 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Each beside the first Query its search makes (searchVacanciesRequest: the area's partition, the filters), bare.
  const searches: Array<{ label: string; query: Record<string, string>; filters: Omit<VacancySearch, 'updatedSince' | 'limit'> }> = [
    { label: 'an authority, nursing', query: { area: 'E08000004', category: 'nursing' }, filters: { area: 'E08000004', category: 'nursing', admittingOnly: false } },
    {
      label: 'an authority, residential, female, admitting',
      query: { area: 'E08000004', category: 'residential', sex: 'female', admitting: 'true' },
      filters: { area: 'E08000004', category: 'residential', sex: 'female', admittingOnly: true },
    },
    { label: 'a region, any bed', query: { area: 'E12000002' }, filters: { area: 'E12000002', category: 'any', admittingOnly: false } },
    { label: 'England, any bed', query: { area: 'E92000001' }, filters: { area: 'E92000001', category: 'any', admittingOnly: false } },
  ];
  const context: Context = lambdaContext('searchVacancies', 29_000);
  const rows: SearchBenchRow[] = [];
  for (const search of searches) {
    const event = {
      version: '2.0',
      routeKey: 'GET /v1/vacancies',
      rawPath: '/v1/vacancies',
      rawQueryString: new URLSearchParams(search.query).toString(),
      headers: {},
      queryStringParameters: search.query,
      requestContext: { http: { method: 'GET', path: '/v1/vacancies' }, authorizer: { lambda: { kind: 'user', userId: 'bench', role: 'national', areas: '' } } },
      isBase64Encoded: false,
    };
    const handlerTimes: number[] = [];
    const bareTimes: number[] = [];
    let results = 0;
    for (let run = 0; run < RUNS; run += 1) {
      let started = performance.now();
      const response = (await handler(event as never, context)) as APIGatewayProxyStructuredResultV2;
      handlerTimes.push(performance.now() - started);
      if (response.statusCode !== 200) throw new Error(`search answered ${response.statusCode}: ${response.body}`);
      results = (JSON.parse(response.body!) as { items: unknown[] }).items.length;
      started = performance.now();
      await dynamo.send(new QueryCommand(searchVacanciesRequest({ ...search.filters, updatedSince: since, limit: 50 }, environment.tables.vacancyIndex)));
      bareTimes.push(performance.now() - started);
    }
    const handlerP50 = percentile(handlerTimes, 50);
    const bareP50 = percentile(bareTimes, 50);
    rows.push({ search: search.label, results, handlerP50, handlerP99: percentile(handlerTimes, 99), bareP50, bareP99: percentile(bareTimes, 99), ratioP50: handlerP50 / bareP50 });
  }
  return rows;
}
