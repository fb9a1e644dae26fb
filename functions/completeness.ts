import { completeness } from '../shared/aggregates/completeness';
import { scopeAreaRequest } from '../shared/auth/area-scope';
import { httpRoute } from '../shared/http/route';
import { queryParams } from '../shared/http/request';
import { json } from '../shared/http/response';
import { CompletenessQuery } from '../shared/schemas/aggregates';

export const handler = httpRoute('getCompleteness', async ({ event, principal }) => {
  const query = queryParams(event, CompletenessQuery);
  const rows = await completeness(scopeAreaRequest(principal, query.level, query.area), query.level, new Date(), query.area);
  return json(200, { items: rows.map(({ region: _region, ...row }) => row) });
});
