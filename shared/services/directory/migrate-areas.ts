/**
 * The area migration (issue 14): locations placed before the council with adult social care
 * responsibility became the local-authority level (in a two-tier district, E07, or in a county since
 * replaced) move to their council, keeping the district as `district`; their stored returns carry the new
 * place (the vacancy index follows them through the stream) and every location-day's contribution moves
 * from the old areas to the new through the aggregate ledger, in the same conditional transactions the
 * aggregator uses, so it is exact beside live writes. Aggregate rows of areas that are no longer councils
 * are deleted once empty.
 *
 * Idempotent (a location already in place, with returns and ledger in place, is only read) and so
 * resumable: run it again after a failure, or after a write raced it, and it finishes the job.
 */
import { areaKeyOf, type AreaRef, type Place } from '#shared/model/aggregates/areas';
import { councilAsDistrict, COUNCILS_SINCE_2020 } from '#shared/model/directory/councils';
import { lookupsFromAreas, type Area, type OnsLookups } from '#shared/model/directory/ons';
import { ENGLAND, LOCAL_AUTHORITY_PATTERN } from '#shared/model/schemas/common';
import type { Location } from '#shared/model/schemas/location';
import { countActive } from '#shared/repositories/activity';
import { applyChanges, planTransactions, type LedgerChange, type LedgerEntry } from '#shared/repositories/aggregates';
import { deleteEmptyRowsOutside, ledgerOfLocation, moveReturnPlace, returnItemsOfLocation } from '#shared/repositories/area-moves';
import { putAreas } from '#shared/repositories/areas';
import { listLocations, updateDirectoryFields } from '#shared/repositories/locations';
import { lostToAnotherWriter } from '#shared/repositories/transactions';

export interface AreaMigrationSummary {
  locations: number;
  /** Locations whose directory entry moved (their council, district or region changed). */
  moved: number;
  /** Stored returns given their location's new place, and those replaced meanwhile (a rerun checks them). */
  returnsMoved: number;
  returnsRaced: number;
  /** Location-days whose contribution moved to the new areas. */
  daysMoved: number;
  /** Where no council could be found: placed by a district or county the lookups do not know. */
  unplaceable: Array<{ locationId: string; localAuthority: string }>;
  emptyRowsDeleted: number;
  /** Rows of old areas still counting something: a write raced the move; run again. */
  rowsStillCounting: number;
}

/** Where a location belongs now, from where it was placed; undefined when no council can be found. */
export function councilPlace(location: Pick<Location, 'localAuthority' | 'region' | 'district'>, lookups: OnsLookups, councils: ReadonlySet<string>): (Place & { district?: string }) | undefined {
  const placed = location.localAuthority;
  const replacing = COUNCILS_SINCE_2020.find(({ replaces }) => 'county' in replaces && replaces.county === placed)?.code;
  const council =
    (councils.has(placed) ? placed : undefined) ??
    lookups.councilOfDistrict.get(placed) ??
    replacing ??
    (location.district ? lookups.councilOfDistrict.get(location.district) : undefined);
  if (!council || !LOCAL_AUTHORITY_PATTERN.test(council)) return undefined;
  const district = lookups.councilOfDistrict.has(placed) ? placed : location.district ?? councilAsDistrict(council);
  return { localAuthority: council, region: lookups.regionOfCouncil.get(council) ?? location.region, ...(district ? { district } : {}) };
}

const samePlace = (a: Place, b: Place) => a.localAuthority === b.localAuthority && a.region === b.region;
const LEDGER_ATTEMPTS = 6;

/** Move what a location's ledger says each day added from the old areas to the new, day by day as the aggregator would. */
async function moveLedger(locationId: string, place: Place, expected: (ref: AreaRef) => Promise<number>): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    const misplaced = (await ledgerOfLocation(locationId)).filter((entry) => !samePlace(entry, place));
    if (misplaced.length === 0) return 0;
    const changes: LedgerChange[] = misplaced.map((entry: LedgerEntry) => ({ previous: entry, next: { ...entry, localAuthority: place.localAuthority, region: place.region } }));
    const counts = new Map<string, number>();
    for (const ref of [{ level: 'localAuthority' as const, area: place.localAuthority }, { level: 'region' as const, area: place.region }, { level: 'england' as const, area: ENGLAND }]) {
      counts.set(areaKeyOf(ref), await expected(ref));
    }
    try {
      for (const group of planTransactions(changes)) await applyChanges(group, (ref) => counts.get(areaKeyOf(ref)) ?? 0);
      return misplaced.length;
    } catch (error) {
      // The aggregator moved one of these days meanwhile (a new return): read the ledger again.
      if (!lostToAnotherWriter(error) || attempt >= LEDGER_ATTEMPTS) throw error;
    }
  }
}

export async function migrateAreas(areas: readonly Area[], options: { onProgress?: (done: number) => void } = {}): Promise<AreaMigrationSummary> {
  await putAreas(areas);
  const lookups = lookupsFromAreas(areas);
  const councils = new Set(areas.filter(({ level }) => level === 'localAuthority').map(({ code }) => code));
  const summary: AreaMigrationSummary = { locations: 0, moved: 0, returnsMoved: 0, returnsRaced: 0, daysMoved: 0, unplaceable: [], emptyRowsDeleted: 0, rowsStillCounting: 0 };
  const expectedCache = new Map<string, Promise<number>>();
  const expected = (ref: AreaRef) => {
    const key = areaKeyOf(ref);
    if (!expectedCache.has(key)) expectedCache.set(key, countActive(ref));
    return expectedCache.get(key)!;
  };

  let nextToken: string | undefined;
  do {
    const page = await listLocations({ limit: 100, ...(nextToken ? { nextToken } : {}) });
    for (const location of page.items) {
      summary.locations += 1;
      const place = councilPlace(location, lookups, councils);
      if (!place) {
        summary.unplaceable.push({ locationId: location.locationId, localAuthority: location.localAuthority });
        continue;
      }
      // The entry first: a return written from now on reads the new place and carries it.
      if (!samePlace(location, place) || location.district !== place.district) {
        await updateDirectoryFields({ ...location, ...place });
        summary.moved += 1;
      }
      for (const item of await returnItemsOfLocation(location.locationId)) {
        if (samePlace(item, place)) continue;
        if (await moveReturnPlace(item, place)) summary.returnsMoved += 1;
        else summary.returnsRaced += 1;
      }
      summary.daysMoved += await moveLedger(location.locationId, place, expected);
    }
    options.onProgress?.(summary.locations);
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);

  const rows = await deleteEmptyRowsOutside((area) => councils.has(area));
  summary.emptyRowsDeleted = rows.deleted;
  summary.rowsStillCounting = rows.stillCounting;
  return summary;
}
