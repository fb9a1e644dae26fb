import { problems } from '#shared/model/errors';
import type { Principal } from '#shared/model/access/identity';
import type { Location } from '#shared/model/schemas/location';
import { RETURN_SCHEMA_VERSION, type DailyReturnInput, type StoredReturn } from '#shared/model/schemas/return';
import { getLocationForWrite, type LocationForWrite } from '#shared/repositories/locations';
import { getDayAndPrevious, getDaysAndPrevious, getNewestReturns } from '#shared/repositories/returns';
import { briefOf, dayFromCopies, isFullReturn, type PriorReturn, type ReturnCopies } from '#shared/model/returns/return-copies';
import { writeLocationReturns, writeReturn, WRITE_PART, type LocationGuard, type ReturnWrite } from '#shared/repositories/return-writes';
import { conditionFailedAt, lostToAnotherWriter } from '#shared/repositories/transactions';
import { locationRuleErrors } from '#shared/model/returns/location-rules';
import { reportDateProblem, toInstant } from '#shared/model/returns/report-date';
import { returnWarnings } from '#shared/model/returns/warnings';

export interface ReturnTarget {
  locationId: string;
  reportDate: string;
  submittedBy: Pick<Principal, 'userId'>;
  /** From If-Match: the version the caller saw, or 'any' (some version must exist). */
  ifMatch?: number | 'any';
  /** A confirm's: the return the caller was shown, which must still be the one it repeats. */
  repeats?: { reportDate: string; version: number };
  now: Date;
}

export interface SaveOutcome {
  created: boolean;
  stored: StoredReturn;
}

/**
 * Concurrent writers of the same day retry this many times, with jittered backoff so they stop
 * colliding, before the caller is asked to retry.
 */
const WRITE_ATTEMPTS = 8;

function checkReportDate(reportDate: string, now: Date): void {
  const problem = reportDateProblem(reportDate, now);
  if (problem) throw problems.validation([{ path: 'reportDate', message: problem }]);
}

function checkPrecondition(ifMatch: ReturnTarget['ifMatch'], current: StoredReturn | undefined): void {
  if (ifMatch === undefined) return;
  if (current === undefined) {
    throw problems.preconditionFailed('If-Match was sent but there is no return for that day yet; send without If-Match.');
  }
  if (ifMatch !== 'any' && ifMatch !== current.version) {
    throw problems.preconditionFailed(
      `The current version is ${current.version}, not ${ifMatch}: someone else changed it. Reload, check and send again.`,
    );
  }
}

/** What a write reads first: the location, the day's current return, the return before it. */
interface WriteRead {
  location: Location;
  current: StoredReturn | undefined;
  /** In brief when the location's copies say no more: enough for the warnings. */
  previous: StoredReturn | PriorReturn | undefined;
  guard: LocationGuard;
}

/**
 * A location already read for this request, as the write reads it (with the caller's membership, in one
 * round trip: `loadWriteAccessFacts`); `location` undefined: there is no such location. A save's first
 * attempt writes on it instead of reading the location again; a retry after a lost race reads afresh.
 */
export interface AlreadyRead {
  location: LocationForWrite | undefined;
}

async function readLocation(locationId: string, alreadyRead?: AlreadyRead): Promise<LocationForWrite> {
  const state = alreadyRead ? alreadyRead.location : await getLocationForWrite(locationId);
  if (!state) throw problems.notFound(`No location ${locationId} in the directory.`);
  if (!state.location.active) throw problems.conflict(`Location ${locationId} is not active (closed or deregistered); it takes no returns.`);
  return state;
}

/** The copies of a location's two newest returns: kept on its item, or read once from the returns table (the write then keeps them). */
async function copiesOf(locationId: string, state: LocationForWrite): Promise<ReturnCopies> {
  if (state.copies) return state.copies;
  // Never updated: it has no returns (the first write of a location is always its newest, and sets both).
  if (state.location.lastUpdated === null && state.newestReportDate === undefined) return {};
  const [latest, prior] = await getNewestReturns(locationId);
  return { ...(latest ? { latest } : {}), ...(prior ? { prior: briefOf(prior) } : {}) };
}

/**
 * What the write insists has not changed since the location was read: its write count (any return of
 * the location written meanwhile fails it, so the copies it keeps, and the figures a confirm repeats,
 * are never stored over a newer write), and its newest report date.
 */
function guardOf(state: LocationForWrite, copies: ReturnCopies): LocationGuard {
  const recorded = state.newestReportDate !== undefined;
  // A location item written before the newest report date was kept learns it from its newest return.
  const newestReportDate = recorded || state.location.lastUpdated === null ? state.newestReportDate : copies.latest?.reportDate;
  return { newestReportDate, recorded, returnWrites: state.returnWrites, copies };
}

/**
 * One read when the location keeps the copies and the day is new, the newest, or after the one before
 * it (every PUT and confirm of the current window, nearly): the location item alone says the day's
 * version and the return before it. Otherwise the returns table is asked too, after the location, so
 * that what a confirm repeats is at least as new as the write count it guards with.
 */
async function readForWrite(target: ReturnTarget, isConfirm: boolean, alreadyRead: AlreadyRead | undefined): Promise<WriteRead> {
  const state = await readLocation(target.locationId, alreadyRead);
  const copies = await copiesOf(target.locationId, state);
  const known = dayFromCopies(copies, target.reportDate);
  // A confirm repeats the return before the day in full: a brief one will not do.
  const enough = known && !(isConfirm && !known.current && known.previous && !isFullReturn(known.previous)) ? known : undefined;
  const day = enough ?? (await getDayAndPrevious(target.locationId, target.reportDate));
  return { location: state.location, current: day.current, previous: day.previous, guard: guardOf(state, copies) };
}

interface Figures {
  input: DailyReturnInput;
  confirmedFrom?: StoredReturn['confirmedFrom'];
}

/**
 * A day's new version as a write stores it: the location's rules checked, version = the current one's
 * + 1 (1 if the day has none), warnings against the return before it.
 */
function newVersion(
  at: { locationId: string; reportDate: string; submittedBy: Pick<Principal, 'userId'>; now: Date },
  figures: Figures,
  read: Pick<WriteRead, 'location' | 'current' | 'previous'>,
): StoredReturn {
  const ruleErrors = locationRuleErrors(figures.input, read.location);
  if (ruleErrors.length > 0) throw problems.validation(ruleErrors);
  return {
    ...figures.input,
    locationId: at.locationId,
    reportDate: at.reportDate,
    version: (read.current?.version ?? 0) + 1,
    submittedAt: toInstant(at.now),
    // A correction keeps the day's first report time: completeness counts the day as reported then.
    firstSubmittedAt: read.current?.firstSubmittedAt ?? read.current?.submittedAt ?? toInstant(at.now),
    submittedBy: at.submittedBy.userId,
    warnings: returnWarnings(figures.input, read.location, read.previous),
    schemaVersion: RETURN_SCHEMA_VERSION,
    ...(figures.confirmedFrom ? { confirmedFrom: figures.confirmedFrom } : {}),
  };
}

/** After a lost race: a jittered, growing wait before the next attempt, or after the last, a 503. */
async function backOff(attempt: number, busy: string): Promise<void> {
  if (attempt >= WRITE_ATTEMPTS) throw problems.busy(busy);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
}

/**
 * The one path every return takes to storage: date window, location checks, version and If-Match,
 * warnings, then an atomic conditional write. A PUT (`figures` = its body) retries a lost race on a fresh
 * read: last writer wins. A confirm (`figures` = null: repeat the latest return on or before the day)
 * never retries: it read figures that a racing write may have replaced, so it answers 409 instead.
 * (The bulk upload's rows take `submitLocationReturns`, by the same rules.)
 */
async function saveReturn(target: ReturnTarget, body: DailyReturnInput | null, alreadyRead: AlreadyRead | undefined): Promise<SaveOutcome> {
  checkReportDate(target.reportDate, target.now);
  const isConfirm = body === null;
  for (let attempt = 1; ; attempt += 1) {
    // The location read with the access check serves the first attempt only: after a lost race it is stale.
    const read = await readForWrite(target, isConfirm, attempt === 1 ? alreadyRead : undefined);
    const figures = isConfirm ? figuresToRepeat(target, read) : { input: body };
    const stored = newVersion(target, figures, read);
    checkPrecondition(target.ifMatch, read.current);
    try {
      await writeReturn(stored, read.location, read.current?.version, read.guard);
      return { created: read.current === undefined, stored };
    } catch (error) {
      if (!lostToAnotherWriter(error)) throw error;
      // Another writer stored a version between our read and write. With If-Match the caller's view of
      // the day is now stale.
      if (target.ifMatch !== undefined && conditionFailedAt(error, WRITE_PART.currentReturn)) {
        throw problems.preconditionFailed('The return changed while this one was being saved. Reload, check and send again.');
      }
      if (isConfirm) {
        throw problems.changedMeanwhile(
          'A return for this location was saved while "nothing has changed" was being recorded, so the figures it would repeat may be out of date. Nothing was written; check the latest figures and confirm again.',
        );
      }
      await backOff(attempt, 'Too many simultaneous changes to this return; try again.');
    }
  }
}

/** "Nothing has changed" repeats the latest return on or before the day. */
function figuresToRepeat(target: ReturnTarget, read: WriteRead): Figures {
  const latest = read.current ?? read.previous;
  if (latest && !isFullReturn(latest)) throw new Error('a confirm read the return it repeats in brief');
  if (!latest) {
    throw problems.conflict(`Location ${target.locationId} has no earlier return to repeat; submit the full return instead.`);
  }
  if (target.repeats && (target.repeats.reportDate !== latest.reportDate || target.repeats.version !== latest.version)) {
    throw problems.changedMeanwhile(
      `The latest figures are now those of ${latest.reportDate} (version ${latest.version}), not the ones shown (${target.repeats.reportDate}, version ${target.repeats.version}). Nothing was written; check them and confirm again.`,
    );
  }
  return { input: figuresOf(latest), confirmedFrom: { reportDate: latest.reportDate, version: latest.version } };
}

/** `alreadyRead`: the location as this request already read it (`AlreadyRead`), for the first attempt. */
export function submitReturn(target: ReturnTarget, input: DailyReturnInput, alreadyRead?: AlreadyRead): Promise<SaveOutcome> {
  return saveReturn(target, input, alreadyRead);
}

/** "Nothing has changed": the latest return on or before that day, stored again as that day's return. */
export function confirmReturn(target: ReturnTarget, alreadyRead?: AlreadyRead): Promise<SaveOutcome> {
  return saveReturn(target, null, alreadyRead);
}

/** Whose days `submitLocationReturns` writes, who sends them, and when. */
export interface LocationReturnsTarget {
  locationId: string;
  submittedBy: Pick<Principal, 'userId'>;
  now: Date;
}

/**
 * Several days of one location (the bulk upload's rows for it, in the upload's order, at most one per
 * day), stored as the same PUTs sent one after another in that order would store them (no If-Match), but
 * in one read round trip (the location and the days' returns, side by side) and ONE transaction: all of
 * them are written or none is. Each day's version follows its current one; its warnings are against the
 * return before it as those PUTs would have seen it (an earlier row of the same upload for an earlier
 * day, else the stored one); the location's freshness moves to the newest day if it is on or after the
 * newest report date, and its write count by the number of days (so a confirm racing them fails). A lost
 * race is retried on a fresh read, as a PUT's is (last writer wins); the outcomes are in the days' order.
 */
export async function submitLocationReturns(target: LocationReturnsTarget, days: ReadonlyArray<{ reportDate: string; input: DailyReturnInput }>): Promise<SaveOutcome[]> {
  if (days.length === 0) return [];
  for (const { reportDate } of days) checkReportDate(reportDate, target.now);
  const dates = days.map(({ reportDate }) => reportDate).sort();
  if (new Set(dates).size !== dates.length) throw new Error(`two returns of one day for location ${target.locationId}`);
  for (let attempt = 1; ; attempt += 1) {
    const [state, stored] = await Promise.all([readLocation(target.locationId), getDaysAndPrevious(target.locationId, dates[0]!, dates.at(-1)!)]);
    const guard = guardOf(state, await copiesOf(target.locationId, state));
    // Each day's return as the writes before it leave it: first the stored ones, then each row's as it is made.
    const known = new Map(stored.map((day) => [day.reportDate, day]));
    const before = (reportDate: string) =>
      [...known.values()].reduce<StoredReturn | undefined>((latest, day) => (day.reportDate < reportDate && (!latest || day.reportDate > latest.reportDate) ? day : latest), undefined);
    const writes: ReturnWrite[] = days.map(({ reportDate, input }) => {
      const current = known.get(reportDate);
      const next = newVersion({ ...target, reportDate }, { input }, { location: state.location, current, previous: before(reportDate) });
      known.set(reportDate, next);
      return { stored: next, replacesVersion: current?.version };
    });
    try {
      await writeLocationReturns(writes, state.location, guard);
      return writes.map(({ stored: saved, replacesVersion }) => ({ created: replacesVersion === undefined, stored: saved }));
    } catch (error) {
      if (!lostToAnotherWriter(error)) throw error;
      await backOff(attempt, `Too many simultaneous changes to the returns of location ${target.locationId}; try again.`);
    }
  }
}

/** Just the answers of a stored return, without what the system added. */
export function figuresOf(stored: StoredReturn): DailyReturnInput {
  const { vacancies, beds, admissions, outbreak, workforce, ppe, visiting, notes } = stored;
  return { vacancies, beds, admissions, outbreak, workforce, ppe, visiting, ...(notes !== undefined ? { notes } : {}) };
}
