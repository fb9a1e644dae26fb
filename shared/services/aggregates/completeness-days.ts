import type { AreaScope } from '#shared/model/access/area-scope';
import type { CompletenessDay } from '#shared/model/schemas/aggregates';
import { CalendarDate, type AreaLevel } from '#shared/model/schemas/common';
import { addDays } from '#shared/model/returns/report-date';
import { decodePageToken, encodePageToken, invalidPageToken, requireStartKeyWithin } from '#shared/repositories/pagination';
import { areaDays, areasToReport, type AreaDay } from '#shared/services/aggregates/area-days';

/** Rows a page of the series holds at most (pages hold whole days, and at least one). */
const PAGE_ROWS = 1000;

const shareOf = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** Reporting per area and day (DESIGN §10.4): expected, reported, reported on time, and the shares. */
export function completenessDay(day: AreaDay): CompletenessDay {
  const reporting = day.metrics.locationsReporting ?? 0;
  const onTime = day.metrics.locationsReportingOnTime ?? 0;
  return {
    level: day.level,
    area: day.area,
    ...(day.areaName ? { areaName: day.areaName } : {}),
    date: day.date,
    locationsExpected: day.locationsExpected,
    locationsReporting: reporting,
    locationsReportingOnTime: onTime,
    reportingShare: shareOf(reporting, day.locationsExpected),
    onTimeShare: shareOf(onTime, day.locationsExpected),
  };
}

/** A page of whole days of the completeness series; the token names the next day. */
export async function completenessSeries(
  scope: AreaScope,
  query: { level: AreaLevel; area?: string; from: string; to: string; nextToken?: string },
): Promise<{ items: CompletenessDay[]; nextToken: string | null }> {
  const start = decodePageToken(query.nextToken, ['day']);
  if (start && !CalendarDate.safeParse(start.day).success) throw invalidPageToken();
  requireStartKeyWithin(start, 'day', { from: query.from, to: query.to });
  const from = start ? String(start.day) : query.from;
  const areas = await areasToReport(scope, query.level, query.area);
  const days = Math.max(1, Math.floor(PAGE_ROWS / Math.max(1, areas.length)));
  const last = addDays(from, days - 1) < query.to ? addDays(from, days - 1) : query.to;
  const items: CompletenessDay[] = [];
  for await (const day of areaDays(scope, { ...query, from, to: last }, areas)) items.push(completenessDay(day));
  return { items, nextToken: last < query.to ? encodePageToken({ day: addDays(last, 1) }) : null };
}
