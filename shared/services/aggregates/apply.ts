import { countActive } from '#shared/repositories/activity';
import { applyChanges, getLedgerEntries, planTransactions, readBatchState, type LedgerChange, type LedgerEntry } from '#shared/repositories/aggregates';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { lostToAnotherWriter } from '#shared/repositories/transactions';
import { areaKeyOf, areasOf, type AreaRef } from '#shared/model/aggregates/areas';
import { contributionOf } from '#shared/model/aggregates/metrics';
import { keepNewestReturns } from '#shared/services/aggregates/newest-returns';

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
function changesAgainst(newest: readonly ReturnItem[], ledgers: ReadonlyMap<string, LedgerEntry>): LedgerChange[] {
  return newest.flatMap((item) => {
    const previous = ledgers.get(dayKey(item));
    // A duplicate, a redelivery, or an older version arriving after a newer one: already counted.
    if (previous && previous.appliedVersion >= item.version) return [];
    return [{ previous, next: ledgerEntryOf(item) }];
  });
}

async function pendingChanges(newest: readonly ReturnItem[]): Promise<LedgerChange[]> {
  return changesAgainst(newest, await getLedgerEntries(newest));
}

/**
 * Changes in the order of where their locations are (region, council, location; where they were, for a
 * correction of a location that moved), so that the changes a transaction holds share their council and
 * region items: 100 returns of a morning over ~70 councils fit two transactions, not three.
 */
const placeOrder = (change: LedgerChange) => `${change.next.region}#${change.next.localAuthority}#${change.next.locationId}#${change.next.reportDate}`;

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
 * The aggregates' part: the changes planned into transactions of at most 100 items (a ledger entry per
 * location-day, an update per area-day), applied one after another (they share England's item, and a
 * region's: side by side they would only cancel each other). Returns the location-days not applied.
 */
async function applyAggregates(newestByDay: ReadonlyMap<string, ReturnItem>, ledgers: ReadonlyMap<string, LedgerEntry>, now: number): Promise<Map<string, Error>> {
  const failed = new Map<string, Error>();
  const changes = changesAgainst([...newestByDay.values()], ledgers).sort((a, b) => (placeOrder(a) < placeOrder(b) ? -1 : 1));
  for (const group of planTransactions(changes)) {
    const groupItems = group.map(({ next }) => newestByDay.get(dayKey(next))!);
    try {
      await applyGroup(groupItems, group, now);
    } catch (error) {
      for (const item of groupItems) failed.set(dayKey(item), error as Error);
    }
  }
  return failed;
}

/**
 * Apply stream images of returns to the aggregates, exactly once in effect, a batch at a time; and make
 * each location's newest return its latest-return copy and its vacancy search entries. Returns each
 * item's outcome: undefined if it is done, or the error that stopped it.
 *
 * The calls, for a batch of 100 records of a morning (~100 locations over ~70 councils): the state is
 * read in ⌈keys / 100⌉ BatchGetItem calls side by side (each location-day's ledger entry, each location's
 * directory entry and vacancy manifest: 3); the aggregates move in two or three transactions (each
 * area-day once per transaction, whatever number of its returns the batch holds); the locations' copies
 * and entries go in transactions of up to 100 items, several locations each. Each area's active locations
 * are counted once per container every few minutes. Nothing is read or written per record.
 *
 * Why it is exact, whatever the delivery:
 * - Only the newest version of each location-day in the batch is applied (v2 then v3 ends where v3 does).
 * - Each ledger entry is replaced in the same transaction that moves its area-days by (new − what the
 *   ledger says was added), on condition that it still holds the version read: a duplicate, a redelivery
 *   (of records already applied before a crash, or after a partial failure) or an older version after a
 *   newer one finds the ledger at or past it and changes nothing; a transaction lost to another writer
 *   (another consumer, the rebuild) changes nothing and is re-read and retried.
 * - The sums commute: the order in which location-days are applied does not matter, and a location-day
 *   only moves forward through its versions. The copies and entries, likewise, only move forward to a
 *   newer return. So applying a batch's later records while an earlier one failed is safe.
 * - A record is reported failed when its location-day's transaction (or its location's) failed; the
 *   event source mapping (ReportBatchItemFailures, `aggregatorFunction.stream`) then delivers it again
 *   with every record after it in its shard, and those already applied change nothing. If the whole batch
 *   fails (the state could not be read), the handler fails and the mapping bisects the batch.
 */
export async function applyReturns(items: readonly ReturnItem[], now = Date.now()): Promise<Map<ReturnItem, Error | undefined>> {
  const newestByDay = new Map<string, ReturnItem>();
  for (const item of items) {
    const seen = newestByDay.get(dayKey(item));
    if (!seen || seen.version < item.version) newestByDay.set(dayKey(item), item);
  }
  const newest = [...newestByDay.values()];
  const latest = newestPerLocation(newest);
  const state = await readBatchState(newest, latest.map(({ locationId }) => locationId));
  // The two parts write different tables (and read only what was read above): side by side.
  const [aggregateFailures, locationFailures] = await Promise.all([applyAggregates(newestByDay, state.ledgers, now), keepNewestReturns(latest, state)]);
  const failedDays = new Map(aggregateFailures);
  for (const item of latest) {
    const error = locationFailures.get(item.locationId);
    if (error && !failedDays.has(dayKey(item))) failedDays.set(dayKey(item), error);
  }
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
