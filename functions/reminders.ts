import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { runReminders, type ReminderRunReport } from '#shared/services/reminders/run';
import { setting } from '#shared/runtime/settings';
import { logger, metrics, tracer } from '#shared/runtime/powertools';
import { sendEmail } from '#shared/runtime/ses';

/** The clock to run as: the schedule's own time, or `at` when the job is run by hand (local stack, tests). */
type ReminderEvent = Partial<EventBridgeEvent<'Scheduled Event', Record<string, never>>> & { at?: string };

/**
 * The hourly reminder job (EventBridge schedule). The report carries no addresses, only counts, subjects
 * and location ids; the tracer records none of it all the same, and the log line holds counts alone.
 */
export const handler = middy<ReminderEvent, ReminderRunReport>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event: ReminderEvent, _context: Context) => {
    const now = new Date(event.at ?? event.time ?? Date.now());
    const report = await runReminders(now, { sendEmail, webBaseUrl: setting('WEB_BASE_URL') });
    metrics.addMetric('StaleLocations', MetricUnit.Count, report.staleLocations);
    metrics.addMetric('RemindersSent', MetricUnit.Count, report.sent.length);
    metrics.addMetric('ReminderSendFailures', MetricUnit.Count, report.failed.length);
    logger.info('reminder run', {
      at: report.at,
      quietHours: report.quietHours,
      staleLocations: report.staleLocations,
      itemsRead: report.itemsRead,
      sent: report.sent.length,
      alreadySent: report.alreadySent,
      failed: report.failed.length,
    });
    return report;
  });
