import type { AreaList, AreaListQuery } from '#shared/model/schemas/areas';
import { listAreas } from '#shared/repositories/areas';

/** Without a level: the areas figures are read by (councils and regions), not two-tier districts. */
const DEFAULT_LEVELS = ['localAuthority', 'region'] as const;

const byName = new Intl.Collator('en-GB');

/**
 * The named areas of a level (or councils and regions), optionally only those inside `parent`, sorted by
 * name: what pages offer instead of bare ONS codes. A few hundred at most, so one answer, never paged.
 */
export async function readAreas(query: AreaListQuery): Promise<AreaList> {
  const levels = query.level ? [query.level] : DEFAULT_LEVELS;
  const areas = (await Promise.all(levels.map((level) => listAreas(level)))).flat();
  const items = areas
    .filter((area) => query.parent === undefined || area.parent === query.parent)
    .map((area) => ({ level: area.level, code: area.code, name: area.name, parent: area.parent ?? null }))
    .sort((a, b) => byName.compare(a.name, b.name) || a.code.localeCompare(b.code));
  return { items };
}
