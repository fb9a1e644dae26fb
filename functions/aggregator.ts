import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { applyReturns } from '#shared/services/aggregates/apply';
import { BatchCoalescer } from '#shared/model/aggregates/batch-coalescer';
import { returnItemOf, type ReturnItem } from '#shared/model/returns/return-item';
import { logger, tracer } from '#shared/runtime/powertools';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/**
 * The returns stream's consumer. BatchProcessor reports a failed record by its sequence number, so only
 * it and the records after it are redelivered, and redelivery is harmless because applying is
 * idempotent and order-free (`applyReturns` says why). The records themselves are applied together (see
 * BatchCoalescer): a batch of 100 is three BatchGetItem calls for its state and transactions of up to 100
 * items for what it changes, never a request per record.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event: DynamoDBStreamEvent, context: Context) => {
    const batch = new BatchCoalescer<ReturnItem>((items) => applyReturns(items));
    const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
      // Returns are corrected, never deleted; a REMOVE (a manual clean-up) is not ours to undo.
      if (record.eventName === 'REMOVE' || !record.dynamodb?.NewImage) return;
      await batch.add(returnItemOf(unmarshall(record.dynamodb.NewImage as Parameters<typeof unmarshall>[0])));
    };
    return processPartialResponse(event, handleRecord, processor, { context, processInParallel: true });
  });
