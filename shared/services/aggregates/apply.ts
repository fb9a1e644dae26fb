import { countActive } from '#shared/repositories/activity';
import { applyChanges, getLedgerEntries, planTransactions, type LedgerChange, type LedgerEntry } from '#shared/repositories/aggregates';
import { toStoredReturn, type ReturnItem } from '#shared/model/returns/return-item';
import { indexVacancies } from '#shared/repositories/vacancies';
import { recordLatestReturn } from '#shared/repositories/locations';
import { lostToAnotherWriter } from '#shared/repositories/transactions';
import { areaKeyOf, areasOf, type AreaRef } from '#shared/model/aggregates/areas';
import { contributionOf } from '#shared/model/aggregates/metrics';

/** A group whose ledgers someone else moved (another consumer, a retry) is re-read and retried this often. */
const ATTEMPTS = 6;

/**
 * How many active locations each area expects, counted once per container every few minutes: enough
 * for locationsExpected, which is fixed when a day's aggregate is first written.
 */
const EXPECTED_TTL_MS = 5 * 60_000;
const expectedCache = new Map<string, { count: number; at: number }>();

async function expectedCounts(refs: AreaRef[], now: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const unique = [...new Map(refs.map((ref) => [areaKeyOf(ref), ref])).values()];
  await Promise.all(
    unique.map(async (ref) => {
      const key = areaKeyOf(ref);
      const cached = expectedCache.get(key);
      if (cached && now - cached.at < EXPECTED_TTL_MS) return counts.set(key, cached.count);
      const count = await countActive(ref);
      expectedCache.set(key, { count, at: now });
      counts.set(key, count);
    }),
  );
  return counts;
}

const dayKey = (day: { locationId: string; reportDate: string }) => `${day.locationId}#${day.reportDate}`;

function ledgerEntryOf(item: ReturnItem): LedgerEntry {
  return {
    locationId: item.locationId,
    reportDate: item.reportDate,
    appliedVersion: item.version,
    contribution: contributionOf(item),
    localAuthority: item.localAuthority,
    region: item.region,
  };
}

/** What is still to apply for these location-days: those whose ledger has not yet seen this version. */
async function pendingChanges(newest: readonly ReturnItem[]): Promise<LedgerChange[]> {
  const ledgers = await getLedgerEntries(newest);
  return newest.flatMap((item) => {
    const previous = ledgers.get(dayKey(item));
    // A duplicate, a redelivery, or an older version arriving after a newer one: already counted.
    if (previous && previous.appliedVersion >= item.version) return [];
    return [{ previous, next: ledgerEntryOf(item) }];
  });
}

/** One group in one transaction; if someone moved its ledgers meanwhile, read them again and retry. */
async function applyGroup(items: readonly ReturnItem[], firstTry: LedgerChange[], now: number): Promise<void> {
  let changes = firstTry;
  for (let attempt = 1; changes.length > 0; attempt += 1) {
    const refs = changes.flatMap(({ previous, next }) => [...areasOf(next), ...(previous ? areasOf(previous) : [])]);
    const expected = await expectedCounts(refs, now);
    try {
      await applyChanges(changes, (ref) => expected.get(areaKeyOf(ref)) ?? 0);
      return;
    } catch (error) {
      if (!lostToAnotherWriter(error) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
      changes = await pendingChanges(items);
    }
  }
}

/**
 * Apply stream images of returns to the aggregates, exactly once in effect, a batch at a time: only the
 * newest version of each location-day matters (applying v2 then v3 ends where applying v3 does), the
 * ledgers are read in one request, and up to ~25 location-days go in each transaction. Returns each
 * item's outcome: undefined if it is counted, or the error that stopped its group.
 */
export async function applyReturns(items: readonly ReturnItem[], now = Date.now()): Promise<Map<ReturnItem, Error | undefined>> {
  const newestByDay = new Map<string, ReturnItem>();
  for (const item of items) {
    const seen = newestByDay.get(dayKey(item));
    if (!seen || seen.version < item.version) newestByDay.set(dayKey(item), item);
  }
  const newest = [...newestByDay.values()];
  const failedDays = new Map<string, Error>();
  const changes = await pendingChanges(newest);
  for (const group of planTransactions(changes)) {
    const groupItems = group.map(({ next }) => newestByDay.get(dayKey(next))!);
    try {
      await applyGroup(groupItems, group, now);
    } catch (error) {
      for (const item of groupItems) failedDays.set(dayKey(item), error as Error);
    }
  }
  // Each location's newest return also becomes its latest-return copy and its vacancy search entries.
  await Promise.all(
    newestPerLocation(newest).map(async (item) => {
      try {
        await indexVacancies(item, await recordLatestReturn(item));
      } catch (error) {
        failedDays.set(dayKey(item), error as Error);
      }
    }),
  );
  return new Map(items.map((item) => [item, failedDays.get(dayKey(item))]));
}

function newestPerLocation(items: readonly ReturnItem[]): ReturnItem[] {
  const newest = new Map<string, ReturnItem>();
  for (const item of items) {
    const seen = newest.get(item.locationId);
    if (!seen || seen.reportDate < item.reportDate || (seen.reportDate === item.reportDate && seen.version < item.version)) newest.set(item.locationId, item);
  }
  return [...newest.values()];
}

