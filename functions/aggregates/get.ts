import { dateRange, readAggregates, toApiAggregate } from '#shared/services/aggregates/read';
import { scopeAreaRequest } from '#shared/model/access/area-scope';
import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { AggregatesQuery } from '#shared/model/schemas/aggregates';
import { getAggregatesRoute } from '#shared/model/route-areas';

export const handler = httpRoute(getAggregatesRoute, async ({ event, principal }) => {
  const query = queryParams(event, AggregatesQuery);
  const scope = scopeAreaRequest(principal, query.level, query.area);
  const page = await readAggregates(scope, { ...query, ...dateRange(query, new Date()) });
  return json(200, { items: page.items.map(toApiAggregate), nextToken: page.nextToken });
});
