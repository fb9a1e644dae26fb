import { METRICS } from '#shared/model/aggregates/metrics';
import { dateRange, readAllAggregates } from '#shared/services/aggregates/read';
import { scopeAreaRequest } from '#shared/model/access/area-scope';
import { csvResponse, toCsv } from '#shared/http/csv';
import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { AggregatesExportQuery } from '#shared/model/schemas/aggregates';
import { exportAggregatesRoute } from '#shared/model/route-exports';

const HEADER = ['level', 'area', 'date', 'locationsExpected', ...METRICS];

export const handler = httpRoute(exportAggregatesRoute, async ({ event, principal }) => {
  const query = queryParams(event, AggregatesExportQuery);
  const range = dateRange(query, new Date());
  const items = await readAllAggregates(scopeAreaRequest(principal, query.level, query.area), { ...query, ...range });
  const rows = items.map((item) => [item.level, item.area, item.date, item.locationsExpected ?? 0, ...METRICS.map((metric) => item[metric] ?? 0)]);
  return csvResponse(`aggregates-${query.level}-${range.from}-to-${range.to}.csv`, toCsv(HEADER, rows), event.headers['accept-encoding']);
});
