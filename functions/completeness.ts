import { completeness } from '#shared/services/aggregates/completeness';
import { completenessSeries } from '#shared/services/aggregates/completeness-days';
import { dateRange } from '#shared/services/aggregates/read';
import { scopeAreaRequest } from '#shared/model/access/area-scope';
import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { CompletenessQuery } from '#shared/model/schemas/aggregates';
import { getCompletenessRoute } from '#shared/model/route-areas';

export const handler = httpRoute(getCompletenessRoute, async ({ event, principal }) => {
  const query = queryParams(event, CompletenessQuery);
  const scope = scopeAreaRequest(principal, query.level, query.area);
  if (query.from !== undefined || query.to !== undefined) {
    const range = dateRange(query, new Date());
    return json(200, await completenessSeries(scope, { ...query, ...range }));
  }
  const rows = await completeness(scope, query.level, new Date(), query.area);
  return json(200, { items: rows.map(({ region: _region, ...row }) => row) });
});
