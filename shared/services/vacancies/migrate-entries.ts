import { ENGLAND } from '#shared/model/schemas/common';
import { toReturnItem } from '#shared/model/returns/return-item';
import { ANY_CATEGORY, type LocationPlace } from '#shared/model/vacancies/entries';
import { listLocationsWithLatestReturn } from '#shared/repositories/locations';
import { hasEntriesUnder, indexVacancies } from '#shared/repositories/vacancies';

/** How many locations are indexed at once: enough to keep DynamoDB busy, few enough not to throttle the table. */
const IN_FLIGHT = 16;

export interface VacancyMigrationSummary {
  locations: number;
  /** Indexed again in the present layout (their entries in the old one deleted in the same transaction). */
  reindexed: number;
  /** Already in the present layout, or indexed meanwhile from a newer return. */
  unchanged: number;
  /** No return yet: nothing to index. */
  withoutReturn: number;
}

/**
 * Before issue 20 a location's vacancy entries were one per category in each area (`E92000001#any`,
 * `E08000004#nursing`) and in its latitude row (`near#nursing#2676`); they are now one per area
 * (`area#E08000004`) and one per row (`near#2676`), each with every category. Whether any entry of the
 * old layout is left: every location with a vacancy had one in England's `any` partition.
 */
export async function oldLayoutLeft(): Promise<boolean> {
  return hasEntriesUnder(`${ENGLAND}#${ANY_CATEGORY}`);
}

/**
 * Indexes every location's newest return (the copy its item keeps) again, in the present layout: the
 * entries its manifest names (in the old layout) are deleted and the new ones put, in one transaction
 * conditional on the manifest as read (`indexVacancies`), so a return arriving meanwhile is never
 * overwritten by an older one. Idempotent and safe beside live writes; reads the directory a page at a
 * time (the national listing, or an area's), never a Scan.
 */
export async function migrateVacancyEntries(onProgress: (summary: VacancyMigrationSummary) => void = () => undefined, area?: string): Promise<VacancyMigrationSummary> {
  const summary: VacancyMigrationSummary = { locations: 0, reindexed: 0, unchanged: 0, withoutReturn: 0 };
  let nextToken: string | undefined;
  do {
    const page = await listLocationsWithLatestReturn(nextToken, area);
    for (let i = 0; i < page.items.length; i += IN_FLIGHT) {
      await Promise.all(
        page.items.slice(i, i + IN_FLIGHT).map(async ({ location, latest }) => {
          summary.locations += 1;
          if (!latest) {
            summary.withoutReturn += 1;
            return;
          }
          const item = toReturnItem(latest, { localAuthority: location.localAuthority, region: location.region, name: location.name, type: location.type });
          const place: LocationPlace = {
            ...(location.address ? { address: location.address } : {}),
            ...(location.postcode ? { postcode: location.postcode } : {}),
            ...(location.phone ? { phone: location.phone } : {}),
            ...(location.latitude !== undefined ? { latitude: location.latitude } : {}),
            ...(location.longitude !== undefined ? { longitude: location.longitude } : {}),
          };
          summary[(await indexVacancies(item, place)) ? 'reindexed' : 'unchanged'] += 1;
        }),
      );
    }
    onProgress(summary);
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  return summary;
}
