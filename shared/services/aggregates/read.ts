import { problems } from '#shared/model/errors';
import { keepVisible, type AreaScope } from '#shared/model/access/area-scope';
import { areaAggregatesRequest, levelAggregatesRequest, queryAggregates, type AggregateItem } from '#shared/repositories/aggregates';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import { areaLevelOf, type AreaLevel } from '#shared/model/schemas/common';
import { metricsForApi } from '#shared/model/aggregates/metrics';

/** With no dates given, the last 30 days up to today in England. */
export const DEFAULT_DAYS = 30;

export function dateRange(query: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const to = query.to ?? londonDay(now);
  // The schema checks from ≤ to when both are given; a `from` after the default `to` (today) is as wrong.
  if (query.from !== undefined && query.from > to) throw problems.validation([{ path: 'query.from', message: `must be on or before ${query.to === undefined ? 'today' : 'to'} (${to})` }]);
  return { from: query.from ?? addDays(to, -(DEFAULT_DAYS - 1)), to };
}

export function toApiAggregate(item: AggregateItem) {
  return { level: item.level, area: item.area, date: item.date, locationsExpected: item.locationsExpected ?? 0, ...metricsForApi(item) };
}

/**
 * A page of aggregates: one area's days (one Query on its key), or every area of a level (one Query on
 * the byLevel index) when the caller asked for no single area. Only aggregate items are read.
 */
export async function readAggregates(
  scope: AreaScope,
  query: { level: AreaLevel; area?: string; from: string; to: string; limit: number; nextToken?: string },
): Promise<{ items: AggregateItem[]; nextToken: string | null }> {
  const single = scope.areas?.length === 1 && areaLevelOf(scope.areas[0]!) === query.level ? scope.areas[0]! : undefined;
  const request = single
    ? areaAggregatesRequest({ level: query.level, area: single }, query.from, query.to, query.limit, query.nextToken)
    : levelAggregatesRequest(query.level, query.from, query.to, query.limit, query.nextToken);
  const page = await queryAggregates(request);
  return { items: keepVisible(scope, page.items, query.area), nextToken: page.nextToken };
}

/** Every page, for an export. */
export async function readAllAggregates(scope: AreaScope, query: { level: AreaLevel; area?: string; from: string; to: string }): Promise<AggregateItem[]> {
  const items: AggregateItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await readAggregates(scope, { ...query, limit: 1000, ...(nextToken ? { nextToken } : {}) });
    items.push(...page.items);
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  return items;
}
