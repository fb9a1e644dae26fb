import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { problems } from '../errors';
import type { Principal } from '../auth/identity';
import type { Location } from '../schemas/location';
import { RETURN_SCHEMA_VERSION, type DailyReturnInput, type StoredReturn } from '../schemas/return';
import { getLocation } from '../repositories/locations';
import { getLatestReturn, getReturn } from '../repositories/returns';
import { writeReturn, WRITE_PART } from '../repositories/return-writes';
import { locationRuleErrors } from './location-rules';
import { reportDateProblem, toInstant } from './report-date';
import { returnWarnings } from './warnings';

export interface ReturnTarget {
  locationId: string;
  reportDate: string;
  submittedBy: Pick<Principal, 'userId'>;
  /** From If-Match: the version the caller saw, or 'any' (some version must exist). */
  ifMatch?: number | 'any';
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

async function writableLocation(locationId: string): Promise<Location> {
  const location = await getLocation(locationId);
  if (!location) throw problems.notFound(`No location ${locationId} in the directory.`);
  if (!location.active) throw problems.conflict(`Location ${locationId} is not active (closed or deregistered); it takes no returns.`);
  return location;
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

function conditionFailedAt(error: unknown, part: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[part]?.Code === 'ConditionalCheckFailed';
}

function isWriteRace(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict')
  );
}

/**
 * The one path every return takes to storage: date window, location checks, version and If-Match,
 * warnings, then an atomic conditional write. `figures` decides what is stored (the body for a PUT, the
 * latest return for a confirm); it runs after the location is known.
 */
async function saveReturn(
  target: ReturnTarget,
  figures: (location: Location) => Promise<{ input: DailyReturnInput; confirmedFrom?: StoredReturn['confirmedFrom'] }>,
): Promise<SaveOutcome> {
  checkReportDate(target.reportDate, target.now);
  // Independent reads, side by side: one round trip instead of three before the write.
  const [location, previous, firstRead] = await Promise.all([
    writableLocation(target.locationId),
    getLatestReturn(target.locationId, { before: target.reportDate }),
    getReturn(target.locationId, target.reportDate),
  ]);
  const { input, confirmedFrom } = await figures(location);
  const ruleErrors = locationRuleErrors(input, location);
  if (ruleErrors.length > 0) throw problems.validation(ruleErrors);

  const warnings = returnWarnings(input, location, previous);

  for (let attempt = 1; ; attempt += 1) {
    // A retry after a lost race reads the day again: another writer's version is now the current one.
    const current = attempt === 1 ? firstRead : await getReturn(target.locationId, target.reportDate);
    checkPrecondition(target.ifMatch, current);
    const stored: StoredReturn = {
      ...input,
      locationId: target.locationId,
      reportDate: target.reportDate,
      version: (current?.version ?? 0) + 1,
      submittedAt: toInstant(target.now),
      submittedBy: target.submittedBy.userId,
      warnings,
      schemaVersion: RETURN_SCHEMA_VERSION,
      ...(confirmedFrom ? { confirmedFrom } : {}),
    };
    try {
      await writeReturn(stored, location, current?.version);
      return { created: current === undefined, stored };
    } catch (error) {
      if (conditionFailedAt(error, WRITE_PART.location)) throw problems.notFound(`No location ${target.locationId} in the directory.`);
      if (!isWriteRace(error)) throw error;
      // Another writer stored a version between our read and write. With If-Match the caller's view is
      // now stale; without it, last writer wins on a fresh read.
      if (target.ifMatch !== undefined) {
        throw problems.preconditionFailed('The return changed while this one was being saved. Reload, check and send again.');
      }
      if (attempt >= WRITE_ATTEMPTS) throw problems.busy('Too many simultaneous changes to this return; try again.');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

export function submitReturn(target: ReturnTarget, input: DailyReturnInput): Promise<SaveOutcome> {
  return saveReturn(target, async () => ({ input }));
}

/** "Nothing has changed": the latest return on or before that day, stored again as that day's return. */
export function confirmReturn(target: ReturnTarget): Promise<SaveOutcome> {
  return saveReturn(target, async () => {
    const latest = await getLatestReturn(target.locationId, { onOrBefore: target.reportDate });
    if (!latest) {
      throw problems.conflict(`Location ${target.locationId} has no earlier return to repeat; submit the full return instead.`);
    }
    return { input: figuresOf(latest), confirmedFrom: { reportDate: latest.reportDate, version: latest.version } };
  });
}

/** Just the answers of a stored return, without what the system added. */
export function figuresOf(stored: StoredReturn): DailyReturnInput {
  const { vacancies, beds, admissions, outbreak, workforce, ppe, visiting, notes } = stored;
  return { vacancies, beds, admissions, outbreak, workforce, ppe, visiting, ...(notes !== undefined ? { notes } : {}) };
}
