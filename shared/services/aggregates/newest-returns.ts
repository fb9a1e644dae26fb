import type { ReturnItem } from '#shared/model/returns/return-item';
import { vacancyEntries } from '#shared/model/vacancies/entries';
import { latestReturnPart, MAX_TRANSACTION_ITEMS, readBatchState, writeParts, type LocationForIndex, type TransactionPart, type VacancyManifest } from '#shared/repositories/aggregates';
import { lostToAnotherWriter } from '#shared/repositories/transactions';
import { replaceEntriesRequest } from '#shared/repositories/vacancies';

/** A location whose parts someone else moved (another consumer, a retry, a return's own write) is re-read and retried this often. */
const ATTEMPTS = 6;
/** Transactions of different locations share no item, so several go at once. */
const CONCURRENCY = 2;

const isNewer = (item: { reportDate: string; version: number }, than: { reportDate: string; version: number } | undefined) =>
  !than || than.reportDate < item.reportDate || (than.reportDate === item.reportDate && than.version < item.version);

const keysOf = (entries: ReadonlyArray<{ searchKey: string; freshKey: string }>) => entries.map(({ searchKey, freshKey }) => `${searchKey}|${freshKey}`).sort().join(',');

/**
 * What keeping a location's newest return takes, from the state read, as units that each go whole into
 * one transaction: its latest-return copy, if the location is in the directory and its copy is older (a
 * return's own write may keep it already: then nothing); and its vacancy search entries replaced with
 * their manifest, unless what is indexed is newer, or is this very version with the same entries (a
 * redelivery; a location that moved or learnt its coordinates is indexed again). The two are
 * independent (each part conditional on its own), so they need not share a transaction. No units:
 * nothing to do.
 *
 * The entries are left alone, too, when the location's copy is newer than the return (a return's own
 * write keeps the copy, so a newer return has been stored and its record indexes it), and when the
 * location had no entries and has none now: then nothing is written at all, not even the manifest (a
 * home with no vacancy costs the index nothing a day). Only with a copy to go by: without one, the
 * manifest is what keeps a late older return out.
 */
export function unitsFor(item: ReturnItem, location: LocationForIndex | undefined, manifest: VacancyManifest | undefined): Unit[] {
  const units: Unit[] = [];
  if (location && isNewer(item, location.latest)) units.push({ item, kind: 'copy', parts: [latestReturnPart(item)] });
  const place = location?.place ?? {};
  const entries = vacancyEntries(item, place);
  const indexed =
    manifest && (isNewer(manifest, item) || (manifest.reportDate === item.reportDate && manifest.version === item.version && keysOf(manifest.entries) === keysOf(entries)));
  const superseded = location?.latest !== undefined && isNewer(location.latest, item);
  const nothingEitherWay = location?.latest !== undefined && entries.length === 0 && (manifest?.entries.length ?? 0) === 0;
  if (!indexed && !superseded && !nothingEitherWay) units.push({ item, kind: 'entries', parts: replaceEntriesRequest(item, manifest, place).TransactItems ?? [] });
  return units;
}

export interface Unit {
  item: ReturnItem;
  kind: 'copy' | 'entries';
  parts: TransactionPart[];
}

/**
 * Units into transactions of at most 100 items, a unit never split (a location's entries and manifest
 * move together, or not at all). First fit, largest first: the one-item copies fill what the entries
 * leave, and no two transactions are both half empty.
 */
export function packUnits<T extends { parts: readonly unknown[] }>(units: readonly T[], limit = MAX_TRANSACTION_ITEMS): T[][] {
  const packs: Array<{ size: number; units: T[] }> = [];
  for (const unit of [...units].sort((a, b) => b.parts.length - a.parts.length)) {
    const pack = packs.find((candidate) => candidate.size + unit.parts.length <= limit);
    if (pack) {
      pack.size += unit.parts.length;
      pack.units.push(unit);
    } else packs.push({ size: unit.parts.length, units: [unit] });
  }
  return packs.map(({ units: packed }) => packed);
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * One transaction of several locations' parts. If someone moved one of them meanwhile (the transaction is
 * cancelled whole), read those locations again, rebuild their parts and try again: what is already done
 * drops out. The error that stopped it, if any, goes into `failed` for every location of the pack.
 */
async function applyPack(units: readonly Unit[], failed: Map<string, Error>): Promise<void> {
  let pending = [...units];
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    try {
      // A retry's rebuilt parts may no longer fit one transaction (a manifest grew): then one each time.
      for (const pack of packUnits(pending)) await writeParts(pack.flatMap(({ parts }) => parts));
      return;
    } catch (error) {
      if (!lostToAnotherWriter(error) || attempt >= ATTEMPTS) {
        for (const { item } of pending) failed.set(item.locationId, error as Error);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
      const ids = [...new Set(pending.map(({ item }) => item.locationId))];
      const state = await readBatchState([], ids).catch((readError: unknown) => readError as Error);
      if (state instanceof Error) {
        for (const { item } of pending) failed.set(item.locationId, state);
        return;
      }
      // Each unit again, as it now stands (or not at all, if what it was to do is done).
      pending = pending.flatMap(({ item, kind }) => unitsFor(item, state.locations.get(item.locationId), state.manifests.get(item.locationId)).filter((unit) => unit.kind === kind));
    }
  }
}

/**
 * Each location's newest return of a batch becomes its latest-return copy and its vacancy search
 * entries, from the state read for the batch: locations packed into transactions of up to 100 items (a
 * location's entries and manifest are at most 9 items, so a batch of 100 locations is about 8 transactions,
 * instead of three calls for each location). Each part is conditional on what was read (the copy only moves to a
 * newer return, the manifest only from the version read), so a late, repeated or out-of-order record
 * changes nothing, and a transaction lost to another writer is re-read and retried. Returns the locations
 * that could not be kept, with the error.
 */
export async function keepNewestReturns(
  newestPerLocation: readonly ReturnItem[],
  state: { locations: ReadonlyMap<string, LocationForIndex>; manifests: ReadonlyMap<string, VacancyManifest> },
): Promise<Map<string, Error>> {
  const failed = new Map<string, Error>();
  const units = newestPerLocation.flatMap((item) => unitsFor(item, state.locations.get(item.locationId), state.manifests.get(item.locationId)));
  await inParallel(packUnits(units), CONCURRENCY, (pack) => applyPack(pack, failed));
  return failed;
}
