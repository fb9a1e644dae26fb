import type { AreaScope } from '#shared/model/access/area-scope';
import type { Contribution } from '#shared/model/aggregates/metrics';
import { addDays } from '#shared/model/returns/report-date';
import { ENGLAND, type AreaLevel } from '#shared/model/schemas/common';
import { areaAggregatesRequest, levelAggregatesRequest, type AggregateItem } from '#shared/repositories/aggregates';
import { listAreas } from '#shared/repositories/areas';
import { countActive } from '#shared/repositories/activity';
import { queryPages } from '#shared/repositories/paged-query';

/** An area a report covers, with its name where the areas table knows it. */
export interface AreaInfo {
  code: string;
  name?: string;
  /** A local authority's region. */
  region?: string;
}

/** One area's figures for one day: stored, or zeros where nobody reported. */
export interface AreaDay {
  level: AreaLevel;
  area: string;
  areaName?: string;
  region?: string;
  date: string;
  locationsExpected: number;
  metrics: Partial<Contribution>;
}

/**
 * The areas a report of `level` covers for this caller, by code: the one asked for (answered even when
 * the areas table does not know it), or every area of the level the caller may see.
 */
export async function areasToReport(scope: AreaScope, level: AreaLevel, asked?: string): Promise<AreaInfo[]> {
  if (level === 'england') return scope.visible({ level, area: ENGLAND }) ? [{ code: ENGLAND, name: 'England' }] : [];
  const known = (await listAreas(level)).map((area) => ({ code: area.code, name: area.name, ...(level === 'localAuthority' && area.parent ? { region: area.parent } : {}) }));
  if (asked !== undefined) return [known.find((area) => area.code === asked) ?? { code: asked }];
  return known.filter((area) => scope.visible({ level, area: area.code, ...(area.region ? { region: area.region } : {}) })).sort((a, b) => (a.code < b.code ? -1 : 1));
}

/** Every day from `from` to `to`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The stored aggregates of the areas, by day then area code (as DynamoDB sorts dateArea), a page at a time. */
async function* storedAreaDays(level: AreaLevel, areas: readonly AreaInfo[], from: string, to: string, asked: string | undefined): AsyncGenerator<AggregateItem> {
  const single = asked ?? (areas.length === 1 ? areas[0]!.code : undefined);
  const request = single ? areaAggregatesRequest({ level, area: single }, from, to, 1000) : levelAggregatesRequest(level, from, to, 1000);
  for await (const page of queryPages(request)) yield* page as AggregateItem[];
}

const order = (date: string, area: string) => `${date}#${area}`;

/**
 * A row for every area and day in the range, by day then area: the stored aggregate, or zeros where
 * nobody reported (an "0 reporting" that can be told from "no data"). A day nobody reported keeps the
 * locationsExpected of the area's nearest earlier day in the range, or else the count of its active
 * locations now. Stored figures of areas outside the list (an area the areas table does not know) are
 * kept if the caller may see them.
 */
export async function* areaDays(scope: AreaScope, query: { level: AreaLevel; area?: string; from: string; to: string }, areas: readonly AreaInfo[]): AsyncGenerator<AreaDay> {
  const { level } = query;
  const names = new Map(areas.map((area) => [area.code, area]));
  const lastExpected = new Map<string, number>();
  const expectedNow = async (area: string) => {
    const known = lastExpected.get(area);
    if (known !== undefined) return known;
    const counted = await countActive({ level, area });
    lastExpected.set(area, counted);
    return counted;
  };
  const fromStore = (item: AggregateItem): AreaDay => {
    const info = names.get(item.area);
    const { level: _level, area, date, locationsExpected, region, ...metrics } = item;
    const expected = locationsExpected ?? 0;
    lastExpected.set(area, expected);
    return { level, area, ...(info?.name ? { areaName: info.name } : {}), ...(region ?? info?.region ? { region: region ?? info?.region } : {}), date, locationsExpected: expected, metrics: metrics as Partial<Contribution> };
  };
  const stored = storedAreaDays(level, areas, query.from, query.to, query.area);
  let next = await stored.next();
  for (const date of daysBetween(query.from, query.to)) {
    for (const area of areas) {
      const here = order(date, area.code);
      while (!next.done && order(next.value.date, next.value.area) < here) {
        if (scope.visible(next.value)) yield fromStore(next.value);
        next = await stored.next();
      }
      if (!next.done && next.value.date === date && next.value.area === area.code) {
        yield fromStore(next.value);
        next = await stored.next();
      } else {
        yield { level, area: area.code, ...(area.name ? { areaName: area.name } : {}), ...(area.region ? { region: area.region } : {}), date, locationsExpected: await expectedNow(area.code), metrics: {} };
      }
    }
    while (!next.done && next.value.date === date) {
      if (scope.visible(next.value)) yield fromStore(next.value);
      next = await stored.next();
    }
  }
}
