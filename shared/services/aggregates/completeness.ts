import { keepVisible, type AreaScope } from '#shared/model/access/area-scope';
import { activeLocationsIn, type ActiveLocation } from '#shared/repositories/activity';
import { areaLevelOf, ENGLAND, type AreaLevel } from '#shared/model/schemas/common';
import { toInstant } from '#shared/model/returns/report-date';

const HOUR = 3_600_000;

export interface CompletenessRow {
  level: AreaLevel;
  area: string;
  region?: string;
  locations: number;
  updatedWithin24h: number;
  updatedWithin48h: number;
  stale: number;
}

function areaAt(level: AreaLevel, location: ActiveLocation): string {
  return level === 'localAuthority' ? location.localAuthority : level === 'region' ? location.region : ENGLAND;
}

/**
 * Per area: active locations, how many reported within 24 and 48 hours, and the rest (stale, or never
 * reported). Read from the sparse index of active locations, once for the whole of what was asked.
 */
export async function completeness(scope: AreaScope, level: AreaLevel, now: Date, asked?: string): Promise<CompletenessRow[]> {
  const sources = scope.areas ?? [ENGLAND];
  const seen = new Set<string>();
  const locations = (await Promise.all(sources.map((area) => activeLocationsIn({ level: areaLevelOf(area)!, area })))).flat().filter((location) => {
    // A commissioner's region and an authority inside it would count the authority twice.
    if (seen.has(location.locationId)) return false;
    seen.add(location.locationId);
    return true;
  });
  const within24h = toInstant(new Date(now.getTime() - 24 * HOUR));
  const within48h = toInstant(new Date(now.getTime() - 48 * HOUR));
  const rows = new Map<string, CompletenessRow>();
  // An area asked for by name is answered even when it has no active locations.
  for (const area of sources) if (areaLevelOf(area) === level) rows.set(area, { level, area, locations: 0, updatedWithin24h: 0, updatedWithin48h: 0, stale: 0 });
  for (const location of locations) {
    const area = areaAt(level, location);
    const row = rows.get(area) ?? { level, area, ...(level === 'localAuthority' ? { region: location.region } : {}), locations: 0, updatedWithin24h: 0, updatedWithin48h: 0, stale: 0 };
    if (level === 'localAuthority') row.region = location.region;
    row.locations += 1;
    if (location.freshness >= within24h) row.updatedWithin24h += 1;
    if (location.freshness >= within48h) row.updatedWithin48h += 1;
    else row.stale += 1;
    rows.set(area, row);
  }
  return keepVisible(scope, [...rows.values()], asked).sort((a, b) => a.area.localeCompare(b.area));
}
