import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { ExportJobParams } from '#shared/model/schemas/exports';
import { presignDownload } from '#shared/runtime/s3';
import { exportJobFor, exportView } from '#shared/services/exports/jobs';
import { getExportRoute } from '#shared/model/route-exports';

export const handler = httpRoute(getExportRoute, async ({ event, principal }) => {
  const now = new Date();
  const job = await exportJobFor(principal, pathParams(event, ExportJobParams).exportId, now);
  return json(200, await exportView(job, now, presignDownload), { 'cache-control': 'no-store' });
});
