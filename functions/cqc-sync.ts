import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { CqcSyncError, syncCqcLocations, type CqcSyncReport } from '#shared/services/directory/sync';
import { logger, metrics, tracer } from '#shared/runtime/powertools';

/**
 * The schedule's event; run by hand (`aws lambda invoke`, the local stack) it may say `since` (start there
 * instead of at the checkpoint) and `at` (the end of the last window instead of now).
 */
type CqcSyncEvent = Partial<EventBridgeEvent<'Scheduled Event', Record<string, never>>> & { since?: string; at?: string };

/** What the run answers: counts, and at most this many IDs of each list (the log line has them all). */
const LISTED = 20;

/** Without a checkpoint (the first run after deploying), the job reads the last day's changes. */
export const FIRST_RUN_LOOKBACK_HOURS = 24;
/** Time left, at the least, when a window is started: the biggest day of changes takes a few minutes. */
const RESERVE_MS = 3 * 60_000;

/** The daily CQC sync (EventBridge schedule). Fails, and so alarms, when a window could not be finished. */
export const handler = middy<CqcSyncEvent, ReturnType<typeof brief>>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event: CqcSyncEvent, context: Context) => {
    const since = event.since ? new Date(event.since) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new Error(`since: ${event.since} is not an instant`);
    try {
      const report = await syncCqcLocations({
        now: new Date(event.at ?? Date.now()),
        ...(since ? { since } : {}),
        firstRun: { lookbackHours: FIRST_RUN_LOOKBACK_HOURS },
        deadline: Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS,
      });
      record(report);
      logger.info('cqc sync', { ...brief(report), deactivatedIds: report.summary.deactivated, notFoundIds: report.notFound });
      return brief(report);
    } catch (error) {
      if (error instanceof CqcSyncError) {
        record(error.report);
        logger.error('cqc sync failed', { ...brief(error.report), notFoundIds: error.report.notFound, error: error.message });
      }
      throw error;
    }
  });

function record(report: CqcSyncReport): void {
  metrics.addMetric('CqcChanges', MetricUnit.Count, report.changes);
  metrics.addMetric('CqcLocationsAdded', MetricUnit.Count, report.summary.added);
  metrics.addMetric('CqcLocationsChanged', MetricUnit.Count, report.summary.changed.length);
  metrics.addMetric('CqcLocationsNotFound', MetricUnit.Count, report.notFound.length);
  metrics.addMetric('CqcRateLimited', MetricUnit.Count, report.api.rateLimited);
}

function brief(report: CqcSyncReport) {
  const { summary } = report;
  return {
    from: report.from,
    to: report.to,
    complete: report.complete,
    checkpointBefore: report.checkpointBefore,
    checkpointAfter: report.checkpointAfter,
    windows: report.windows.length,
    changes: report.changes,
    fetched: report.fetched,
    added: summary.added,
    changed: summary.changed.length,
    changedIds: summary.changed.slice(0, LISTED).map(({ locationId, fields }) => `${locationId}: ${fields.join(', ')}`),
    deactivated: summary.deactivated.length,
    deactivatedIds: summary.deactivated.slice(0, LISTED),
    unchanged: summary.unchanged,
    skipped: summary.skipped,
    unplaced: summary.unplaced,
    notFound: report.notFound.length,
    notFoundIds: report.notFound.slice(0, LISTED),
    api: report.api,
  };
}
