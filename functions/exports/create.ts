import { httpRoute } from '#shared/http/route';
import { jsonBody } from '#shared/http/request';
import { json } from '#shared/http/response';
import { problems } from '#shared/model/errors';
import { toInstant } from '#shared/model/returns/report-date';
import { ExportRequest } from '#shared/model/schemas/exports';
import { failExportJob } from '#shared/repositories/export-jobs';
import { invokeAsync } from '#shared/runtime/lambda';
import { exportView, newExportJob } from '#shared/services/exports/jobs';
import { createExportRoute } from '#shared/model/route-exports';

export const handler = httpRoute(createExportRoute, async ({ event, principal }) => {
  const now = new Date();
  const job = await newExportJob(principal, jsonBody(event, ExportRequest), now);
  try {
    await invokeAsync('exportWorker', { exportId: job.exportId });
  } catch {
    // The job would wait for ever: say so on it, and let the caller ask again.
    await failExportJob(job.exportId, 'The export could not be started; ask for it again.', toInstant(now));
    throw problems.busy('The export could not be started; try again in a moment.');
  }
  return json(202, await exportView(job, now, () => Promise.reject(new Error('a pending job has no file'))), { location: `/v1/exports/${job.exportId}` });
});
