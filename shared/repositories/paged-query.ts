import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '#shared/runtime/dynamodb';

/**
 * One page of a Query that continues from a page token. When a page ended on the last item of the range
 * asked for, its LastEvaluatedKey sits on the range's far end, and DynamoDB refuses to start from there
 * ("The provided starting key does not match the range key predicate") where the answer is simply an
 * empty last page. The token's key was checked to lie within the range first (`requireStartKeyWithin`),
 * so that refusal can only mean there is nothing after it.
 */
export async function queryPage(request: QueryCommandInput): Promise<Pick<QueryCommandOutput, 'Items' | 'LastEvaluatedKey' | 'ScannedCount'>> {
  try {
    return await dynamo.send(new QueryCommand(request));
  } catch (error) {
    if (request.ExclusiveStartKey && error instanceof Error && error.name === 'ValidationException' && /starting key/i.test(error.message)) {
      return { Items: [], ScannedCount: 0 };
    }
    throw error;
  }
}

/**
 * Every page of a Query, in order, with the next page asked for before this one is handed on: a caller
 * that streams pages (an export) formats one while DynamoDB reads the next, rather than taking turns
 * (npm run bench, section jobs). At most two pages are held.
 */
export async function* queryPages(request: QueryCommandInput): AsyncGenerator<Array<Record<string, unknown>>> {
  const read = (startKey?: Record<string, unknown>) => queryPage({ ...request, ...(startKey ? { ExclusiveStartKey: startKey } : {}) });
  let reading = read();
  while (true) {
    const page = await reading;
    const startKey = page.LastEvaluatedKey;
    if (startKey) reading = read(startKey);
    yield page.Items ?? [];
    if (!startKey) return;
  }
}
