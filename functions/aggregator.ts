import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { applyReturn, recordLatestReturn } from '../shared/aggregates/apply';
import { toReturnItem, toStoredReturn } from '../shared/repositories/returns';
import { logger, tracer } from '../shared/runtime/powertools';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function handleRecord(record: DynamoDBRecord): Promise<void> {
  // Returns are corrected, never deleted; a REMOVE (a manual clean-up) is not ours to undo.
  if (record.eventName === 'REMOVE' || !record.dynamodb?.NewImage) return;
  const image = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  const item = toReturnItem(toStoredReturn(image), { localAuthority: String(image.localAuthority), region: String(image.region) });
  const outcome = await applyReturn(item);
  await recordLatestReturn(item);
  logger.debug('return applied to aggregates', { locationId: item.locationId, reportDate: item.reportDate, version: item.version, outcome });
}

/**
 * The returns stream's consumer. Records are handled one at a time in order (a location's versions must
 * not race each other); a failed record is reported by sequence number so only it and those after it
 * are redelivered, and redelivery is harmless because applying is idempotent.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, handleRecord, processor, { context, processInParallel: false }),
  );
