import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ExportWorkerEvent } from '#shared/model/schemas/exports';
import { logger, tracer } from '#shared/runtime/powertools';
import { runExportJob } from '#shared/services/exports/run';

/**
 * The export worker, invoked asynchronously by `POST /v1/exports` with the job's id. A throw makes Lambda
 * retry the run (twice), then dead-letter the event; the job records each outcome.
 */
export const handler = middy<unknown, { exportId: string; outcome: string }>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown, _context: Context) => {
    const { exportId } = ExportWorkerEvent.parse(event);
    logger.appendKeys({ exportId });
    const outcome = await runExportJob(exportId);
    logger.info('export run', { outcome });
    return { exportId, outcome };
  });
