import { completeness } from '#shared/services/aggregates/completeness';
import { scopeAreaRequest } from '#shared/model/access/area-scope';
import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { CompletenessQuery } from '#shared/model/schemas/aggregates';

export const handler = httpRoute('getCompleteness', async ({ event, principal }) => {
  const query = queryParams(event, CompletenessQuery);
  const rows = await completeness(scopeAreaRequest(principal, query.level, query.area), query.level, new Date(), query.area);
  return json(200, { items: rows.map(({ region: _region, ...row }) => row) });
});
