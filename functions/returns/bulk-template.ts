import { csvResponse, toCsv } from '#shared/http/csv';
import { queryParams } from '#shared/http/request';
import { httpRoute } from '#shared/http/route';
import { BulkTemplateQuery } from '#shared/model/schemas/bulk';
import { bulkTemplate } from '#shared/services/returns/bulk';
import { bulkReturnsTemplateRoute } from '#shared/model/route-returns';

/** Excel reads a CSV as UTF-8 only when it starts with a byte order mark; the upload accepts one. */
const BOM = '\ufeff';

export const handler = httpRoute(bulkReturnsTemplateRoute, async ({ event, principal }) => {
  const query = queryParams(event, BulkTemplateQuery);
  const { header, rows, reportDate } = await bulkTemplate(principal, query, new Date());
  return csvResponse(`returns-${reportDate}.csv`, BOM + toCsv(header, rows), event.headers['accept-encoding']);
});
