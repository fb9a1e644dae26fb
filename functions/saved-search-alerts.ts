import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { BatchCoalescer } from '#shared/model/aggregates/batch-coalescer';
import { returnItemOf, type ReturnItem } from '#shared/model/returns/return-item';
import { logger, metrics, tracer } from '#shared/runtime/powertools';
import { sendEmail } from '#shared/runtime/ses';
import { setting } from '#shared/runtime/settings';
import { alertSavedSearches } from '#shared/services/saved-searches/alerts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * The returns stream's second consumer: saved-search emails (DESIGN §10.3). A failed record is reported
 * by its sequence number and redelivered with those after it; redelivery sends nothing twice, because an
 * email is claimed (one per location, search and day) before it is sent. Logs carry counts, never
 * addresses or names.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event: DynamoDBStreamEvent, context: Context) => {
    const batch = new BatchCoalescer<ReturnItem>(async (items) => {
      const { outcomes, report } = await alertSavedSearches(items, new Date(), { sendEmail, webBaseUrl: setting('WEB_BASE_URL') });
      if (report.emailed > 0) metrics.addMetric('SavedSearchEmailsSent', MetricUnit.Count, report.emailed);
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.info('saved-search alerts', { ...report });
      return outcomes;
    });
    const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
      if (record.eventName === 'REMOVE' || !record.dynamodb?.NewImage) return;
      await batch.add(returnItemOf(unmarshall(record.dynamodb.NewImage as Parameters<typeof unmarshall>[0])));
    };
    return processPartialResponse(event, handleRecord, processor, { context, processInParallel: true });
  });
