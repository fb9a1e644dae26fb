/**
 * The saved searches' consumer of the returns stream (DESIGN §10.3): for each location's newest return in
 * a batch, the searches watching its latitude row, each judged exactly (distance and filters); a search
 * it newly matches claims today's email for that location with a conditional write, and the email goes
 * (at most one per location and search a London day); a search it stops matching is told so.
 */
import { londonDay } from '#shared/model/returns/report-date';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { matchOf, returnOrderKey, watchRowOf, type Watch } from '#shared/model/saved-searches';
import { matchEmail } from '#shared/model/saved-searches-email';
import {
  alertLocations,
  claimTodaysEmail,
  getMatchState,
  recordMatching,
  releaseTodaysEmail,
  watchesOfRow,
  type AlertLocation,
} from '#shared/repositories/saved-searches';
import type { OutgoingEmail } from '#shared/runtime/ses';
import { issueUnsubscribeToken } from '#shared/services/saved-searches/unsubscribe-links';

export interface AlertDependencies {
  sendEmail: (email: OutgoingEmail) => Promise<string>;
  webBaseUrl: string;
}

/** Counts only: what a run did, for the logs and metrics (no addresses, no names). */
export interface AlertReport {
  locations: number;
  candidates: number;
  emailed: number;
  alreadyEmailedToday: number;
  stoppedMatching: number;
}

const locationKey = (item: ReturnItem) => item.locationId;

/** Per location, its newest return of those given. */
function newestPerLocation(items: readonly ReturnItem[]): ReturnItem[] {
  const newest = new Map<string, ReturnItem>();
  for (const item of items) {
    const seen = newest.get(locationKey(item));
    if (!seen || returnOrderKey(seen.reportDate, seen.version) < returnOrderKey(item.reportDate, item.version)) newest.set(locationKey(item), item);
  }
  return [...newest.values()];
}

/**
 * Judge the batch's returns against the saved searches. Returns each item's outcome (undefined if done,
 * or the error that stopped its location), as the aggregator's does, for partial batch failures.
 */
export async function alertSavedSearches(items: readonly ReturnItem[], now: Date, deps: AlertDependencies): Promise<{ outcomes: Map<ReturnItem, Error | undefined>; report: AlertReport }> {
  const report: AlertReport = { locations: 0, candidates: 0, emailed: 0, alreadyEmailedToday: 0, stoppedMatching: 0 };
  const newest = newestPerLocation(items);
  const failed = new Map<string, Error>();
  const locations = await alertLocations(newest.map(locationKey));
  const rows = new Map<number, Promise<Watch[]>>();
  const watchesOf = (row: number) => {
    let found = rows.get(row);
    if (!found) rows.set(row, (found = watchesOfRow(row)));
    return found;
  };
  await Promise.all(
    newest.map(async (item) => {
      try {
        const location = locations.get(item.locationId);
        // A correction of an older day is not the location's state now: its newest day's return is.
        if (!location || location.latitude === undefined || location.longitude === undefined) return;
        if (location.newestReportDate !== undefined && item.reportDate < location.newestReportDate) return;
        report.locations += 1;
        const watches = await watchesOf(watchRowOf(location.latitude));
        report.candidates += watches.length;
        for (const watch of watches) await judge(watch, item, location as AlertLocation & { latitude: number; longitude: number }, now, deps, report);
      } catch (error) {
        failed.set(item.locationId, error as Error);
      }
    }),
  );
  return { outcomes: new Map(items.map((item) => [item, failed.get(item.locationId)])), report };
}

async function judge(watch: Watch, item: ReturnItem, location: AlertLocation & { latitude: number; longitude: number }, now: Date, deps: AlertDependencies, report: AlertReport): Promise<void> {
  const match = matchOf(watch, item, location, now);
  const seen = returnOrderKey(item.reportDate, item.version);
  const state = await getMatchState(watch.searchId, item.locationId);
  // An older version than one already judged (a late or repeated delivery): nothing to do.
  if (state?.seen !== undefined && state.seen > seen) return;
  if (!match) {
    if (state?.matching) {
      report.stoppedMatching += 1;
      await recordMatching(watch.searchId, item.locationId, false, seen);
    }
    return;
  }
  if (state?.matching) return;
  const day = londonDay(now);
  if (!(await claimTodaysEmail(watch.searchId, item.locationId, day, seen))) {
    // Emailed about this location today already (it filled up and reopened): matching again, no email.
    report.alreadyEmailedToday += 1;
    await recordMatching(watch.searchId, item.locationId, true, seen);
    return;
  }
  const base = deps.webBaseUrl.replace(/\/+$/, '');
  const token = await issueUnsubscribeToken(watch.searchId, now);
  const content = matchEmail({
    name: location.name ?? item.locationName ?? item.locationId,
    distanceMiles: match.distanceMiles,
    ...(location.address ? { address: location.address } : {}),
    ...(location.postcode ? { postcode: location.postcode } : {}),
    ...(location.phone ? { phone: location.phone } : {}),
    entry: match.entry,
    query: watch.query,
    searchLink: `${base}/search.html?near=${encodeURIComponent(watch.centre.district)}`,
    unsubscribeLink: `${base}/unsubscribe.html#token=${token}`,
  });
  try {
    await deps.sendEmail({ to: [watch.email], ...content });
    report.emailed += 1;
  } catch (error) {
    // Not sent: give the claim back so the retried record sends it.
    await releaseTodaysEmail(watch.searchId, item.locationId, day, state);
    throw error;
  }
}
