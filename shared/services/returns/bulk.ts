import { areasCover } from '#shared/model/access/access';
/**
 * The bulk upload and its template (DESIGN §10.2). An upload is checked whole before anything is written
 * (the rows: `shared/model/returns/bulk.ts`; the caller's memberships and the directory: here), then each
 * location's rows are written as its PUTs one after another would be, through `submitLocationReturns`:
 * the same warnings, versions and freshness, in one read round trip and one conditional transaction per
 * location.
 */
import type { Principal } from '#shared/model/access/identity';
import { problems } from '#shared/model/errors';
import {
  bulkLocationRuleErrors,
  checkBulkRows,
  invalidRows,
  namedLocations,
  rowPath,
  rowsProblem,
  templateRow,
  BULK_COLUMNS,
  type BulkRow,
  type CandidateRow,
  type TemplateCell,
} from '#shared/model/returns/bulk';
import { londonDay } from '#shared/model/returns/report-date';
import { MAX_BULK_ROWS, type BulkRowNotWritten, type BulkRowResult, type BulkTemplateQuery } from '#shared/model/schemas/bulk';
import type { Location } from '#shared/model/schemas/location';
import type { DailyReturnInput } from '#shared/model/schemas/return';
import type { ProblemFieldError } from '#shared/model/schemas/problem';
import { getLocations, listLocations } from '#shared/repositories/locations';
import { membershipsOfUser } from '#shared/repositories/memberships';
import { getLatestReturn } from '#shared/repositories/returns';
import { figuresOf, submitLocationReturns } from '#shared/services/returns/submit';

/**
 * Locations written at once. Each location is two round trips one after another (its reads side by side,
 * then its one transaction), so against DynamoDB the upload waits mostly on round trips: 16 at a time
 * writes 100 locations in about 7 rounds of two. Measured locally again with a location's rows in one
 * transaction (100 homes × 5 days, writeUpload in-process, 7 runs each, DynamoDB Local on 2 cores with a
 * load average of 4–6): medians 1.8 s at 2, 4 and 8 at a time, 2.0 s at 16, 1.8 s at 32, all within the
 * noise; DynamoDB Local is bound by its CPU there, not by round trips, so the local figures cannot choose.
 * 16 keeps the round trips few against DynamoDB. A location's rows are one write, so they never race
 * each other.
 */
export const BULK_WRITE_CONCURRENCY = 16;
/** Stop starting locations when the function has less than this left, so it answers before it is cut off. */
export const BULK_TIME_MARGIN_MS = 4_000;
/** Latest returns read at once for the template. */
const TEMPLATE_READ_CONCURRENCY = 16;
/** BatchGetItem takes 100 keys. */
const BATCH_GET_KEYS = 100;
const MEMBERSHIP_PAGE = 1000;

/** Run `work` over `items`, at most `limit` at a time; `next` says whether to start another. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, next: () => boolean = () => true): Promise<void> {
  let index = 0;
  const worker = async () => {
    while (index < items.length && next()) {
      const item = items[index]!;
      index += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Directory entries by id, read 100 at a time with BatchGetItem, all batches at once. */
async function locationsById(ids: readonly string[]): Promise<Map<string, Location>> {
  const unique = [...new Set(ids)];
  const batches = Array.from({ length: Math.ceil(unique.length / BATCH_GET_KEYS) }, (_, index) => unique.slice(index * BATCH_GET_KEYS, (index + 1) * BATCH_GET_KEYS));
  const found = (await Promise.all(batches.map((batch) => getLocations(batch)))).flat();
  return new Map(found.map((location) => [location.locationId, location]));
}

/** The user's memberships, page by page; with `wanted`, only until every one of them has been seen. */
async function membershipIds(userId: string, wanted?: ReadonlySet<string>): Promise<Set<string>> {
  const ids = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await membershipsOfUser(userId, MEMBERSHIP_PAGE, nextToken);
    for (const id of page.locationIds) ids.add(id);
    nextToken = page.nextToken ?? undefined;
    if (wanted && [...wanted].every((id) => ids.has(id))) break;
  } while (nextToken);
  return ids;
}

const forbiddenRows = (errors: ProblemFieldError[]) =>
  rowsProblem({ status: 403, title: 'Not allowed', slug: 'forbidden' }, errors, 'Some rows are for locations you are not a member of; nothing was written.');
const unknownRows = (errors: ProblemFieldError[]) =>
  rowsProblem({ status: 404, title: 'Not found', slug: 'not-found' }, errors, 'Some rows name locations that are not in the directory; nothing was written.');
const inactiveRows = (errors: ProblemFieldError[]) =>
  rowsProblem({ status: 409, title: 'Conflict', slug: 'conflict' }, errors, 'Some rows are for locations that are not active (closed or deregistered) and take no returns; nothing was written.');

/**
 * Everything an upload is checked against before any row is written, in this order (the first that
 * fails decides the answer, and nothing is written):
 * 1. 403: a provider names a location it is not a member of (every such row listed);
 * 2. 400: the rows themselves (schema, date window, one row per location and day) and, for rows whose
 *    location is in the directory, the location rules (categories);
 * 3. 404: a row names a location not in the directory;
 * 4. 409: a row names an inactive location.
 */
export async function checkUpload(candidates: readonly CandidateRow[], caller: Principal, now: Date): Promise<BulkRow[]> {
  if (caller.kind !== 'user') throw problems.forbidden('An update link cannot upload returns.');
  const named = namedLocations(candidates);
  if (caller.role !== 'admin' && named.length > 0) {
    const members = await membershipIds(caller.userId, new Set(named.map(({ locationId }) => locationId)));
    const strangers = named.filter(({ locationId }) => !members.has(locationId));
    if (strangers.length > 0) {
      throw forbiddenRows(strangers.map(({ row, locationId }) => ({ path: rowPath(row, 'locationId'), message: `you are not a member of location ${locationId}` })));
    }
  }
  const { rows, errors } = checkBulkRows(candidates, now);
  const locations = await locationsById(named.map(({ locationId }) => locationId));
  const ruleErrors = bulkLocationRuleErrors(rows, locations);
  if (errors.length + ruleErrors.length > 0) {
    const byRow = (error: ProblemFieldError) => Number(/^rows\[(\d+)\]/.exec(error.path)?.[1] ?? -1);
    throw invalidRows([...errors, ...ruleErrors].sort((a, b) => byRow(a) - byRow(b)));
  }
  const unknown = rows.filter(({ locationId }) => !locations.has(locationId));
  if (unknown.length > 0) throw unknownRows(unknown.map(({ row, locationId }) => ({ path: rowPath(row, 'locationId'), message: `no location ${locationId} in the directory` })));
  const inactive = rows.filter(({ locationId }) => !locations.get(locationId)!.active);
  if (inactive.length > 0) throw inactiveRows(inactive.map(({ row, locationId }) => ({ path: rowPath(row, 'locationId'), message: `location ${locationId} is not active; it takes no returns` })));
  return rows;
}

export type UploadOutcome =
  | { kind: 'complete'; items: BulkRowResult[] }
  /** Stopped part-way: what was written, what was not, and why (the failures, by row, first first). */
  | { kind: 'stopped'; written: BulkRowResult[]; notWritten: BulkRowNotWritten[]; failures: Array<{ row: number; error: unknown }> };

/**
 * Write checked rows: each location's rows together, through `submitLocationReturns` (one read round
 * trip and one transaction for all of them, stored as its PUTs in the upload's order would be), up to
 * BULK_WRITE_CONCURRENCY locations at once. A location's rows are written together or not at all. If a
 * location's write fails, or time runs short, no further location is started; those under way finish;
 * the outcome says which rows were written (whole locations) and which were not, a failure named by the
 * first row of its location.
 */
export async function writeUpload(rows: readonly BulkRow[], caller: Principal, now: Date, options: { remainingMs?: () => number; concurrency?: number } = {}): Promise<UploadOutcome> {
  const results = new Map<number, BulkRowResult>();
  const failures: Array<{ row: number; error: unknown }> = [];
  const byLocation = new Map<string, Array<BulkRow & { input: DailyReturnInput }>>();
  for (const row of rows) {
    if (!row.input) results.set(row.row, { row: row.row, locationId: row.locationId, reportDate: row.reportDate, status: 204 });
    else byLocation.set(row.locationId, [...(byLocation.get(row.locationId) ?? []), { ...row, input: row.input }]);
  }
  const timeLeft = () => options.remainingMs === undefined || options.remainingMs() > BULK_TIME_MARGIN_MS;
  let outOfTime = false;
  const carryOn = () => {
    if (failures.length > 0 || outOfTime) return false;
    if (!timeLeft()) outOfTime = true;
    return !outOfTime;
  };
  await pool(
    [...byLocation.entries()],
    options.concurrency ?? BULK_WRITE_CONCURRENCY,
    async ([locationId, locationRows]) => {
      if (!carryOn()) return;
      try {
        const outcomes = await submitLocationReturns({ locationId, submittedBy: caller, now }, locationRows);
        for (const [index, row] of locationRows.entries()) {
          const { created, stored } = outcomes[index]!;
          results.set(row.row, {
            row: row.row,
            locationId: row.locationId,
            reportDate: row.reportDate,
            status: created ? 201 : 200,
            version: stored.version,
            ...(stored.warnings.length > 0 ? { warnings: [...new Set(stored.warnings.map(({ code }) => code))] } : {}),
          });
        }
      } catch (error) {
        failures.push({ row: locationRows[0]!.row, error });
      }
    },
    carryOn,
  );
  if (failures.length === 0 && !outOfTime) return { kind: 'complete', items: rows.map((row) => results.get(row.row)!) };
  if (failures.length === 0) {
    const first = rows.find((row) => !results.has(row.row))!;
    failures.push({
      row: first.row,
      error: problems.busy(`The upload ran short of time at ${rowPath(first.row)}; send the rows not written again.`),
    });
  }
  failures.sort((a, b) => a.row - b.row);
  return {
    kind: 'stopped',
    written: rows.flatMap((row) => results.get(row.row) ?? []),
    notWritten: rows.filter((row) => !results.has(row.row)).map(({ row, locationId, reportDate }) => ({ row, locationId, reportDate })),
    failures,
  };
}

// ---------------------------------------------------------------------------------------------------
// The template

const tooMany = () =>
  problems.validation([
    {
      path: 'query.area',
      message: `takes in more than ${MAX_BULK_ROWS} active locations, and an upload takes at most ${MAX_BULK_ROWS} rows: ask for the template of a smaller area (?area=, a local authority)`,
    },
  ]);

/** The caller's active locations for the template: a provider's (or an admin's) memberships, or an admin's area. */
async function templateLocations(caller: Principal, query: BulkTemplateQuery): Promise<Location[]> {
  if (caller.kind !== 'user') throw problems.forbidden('An update link cannot download the template.');
  if (caller.role === 'admin' && query.area !== undefined) {
    // An area's active locations, page by page, no further than one past the limit.
    const found: Location[] = [];
    let nextToken: string | undefined;
    do {
      const page = await listLocations({ area: query.area, limit: 100, ...(nextToken ? { nextToken } : {}) });
      found.push(...page.items.filter((location) => location.active));
      if (found.length > MAX_BULK_ROWS) throw tooMany();
      nextToken = page.nextToken ?? undefined;
    } while (nextToken);
    return found;
  }
  const ids = [...(await membershipIds(caller.userId))];
  const locations = [...(await locationsById(ids)).values()].filter((location) => location.active && (query.area === undefined || areasCover([query.area], location)));
  if (locations.length > MAX_BULK_ROWS) throw tooMany();
  return locations;
}

/**
 * The template: a row per active location of the caller (see `templateLocations`), dated today in London,
 * with the figures of its latest return for the categories it reports (a location with no return yet has
 * empty figures: a row left so is skipped by the upload). Rows in order of name, then location id.
 */
export async function bulkTemplate(caller: Principal, query: BulkTemplateQuery, now: Date): Promise<{ header: readonly string[]; rows: TemplateCell[][]; reportDate: string }> {
  const reportDate = londonDay(now);
  const locations = (await templateLocations(caller, query)).sort((a, b) => a.name.localeCompare(b.name, 'en-GB') || a.locationId.localeCompare(b.locationId));
  const rows: TemplateCell[][] = new Array(locations.length);
  const indexed = locations.map((location, index) => ({ location, index }));
  await pool(indexed, TEMPLATE_READ_CONCURRENCY, async ({ location, index }) => {
    const latest = location.lastUpdated === null ? undefined : await getLatestReturn(location.locationId);
    rows[index] = templateRow(location, latest && figuresOf(latest), reportDate);
  });
  return { header: BULK_COLUMNS, rows, reportDate };
}

