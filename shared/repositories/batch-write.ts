import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/runtime/dynamodb';

const BATCH_SIZE = 25;

/**
 * Put many items, 25 to a request, resending what DynamoDB leaves unprocessed with backoff. For bulk
 * loads (seed, import) only: unlike the return write path it is not conditional.
 */
export async function batchPut(table: string, items: readonly Record<string, unknown>[], onProgress?: (written: number) => void): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH_SIZE) {
    let requests: Record<string, unknown>[] | undefined = items.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests && requests.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
      const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = result.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
    onProgress?.(Math.min(i + BATCH_SIZE, items.length));
  }
}
