import { BatchGetCommand, type BatchGetCommandInput, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { problems } from '#shared/model/errors';
import { dynamo } from '#shared/runtime/dynamodb';

/** One item to read: its table's name and its full key. */
export interface ItemRequest {
  table: string;
  key: Record<string, string>;
  /** Strongly consistent; a table's keys are all read one way, so every request of a table must agree. */
  consistentRead?: boolean;
}

/** A key DynamoDB left unprocessed (throttling) is asked for again this many times, with a growing wait. */
const BATCH_ATTEMPTS = 6;
const MAX_KEYS = 100;

const sameKey = (item: Record<string, unknown>, key: Record<string, string>) => Object.entries(key).every(([name, value]) => item[name] === value);

/**
 * Items of one or more tables in ONE BatchGetItem (up to 100), each answered in the order asked
 * (undefined: no such item). Keys DynamoDB leaves unprocessed are asked for again; after that many tries
 * it is a 503 that says to retry, as a throttled write is.
 */
export async function getItemsInOneBatch(requests: readonly ItemRequest[]): Promise<(Record<string, unknown> | undefined)[]> {
  if (requests.length > MAX_KEYS) throw new Error(`BatchGetItem reads at most ${MAX_KEYS} keys, not ${requests.length}`);
  const found: Record<string, Record<string, unknown>[]> = {};
  let pending: BatchGetCommandInput['RequestItems'] = {};
  for (const { table, key, consistentRead } of requests) {
    const entry = (pending[table] ??= { Keys: [], ...(consistentRead ? { ConsistentRead: true } : {}) });
    if (Boolean(entry.ConsistentRead) !== Boolean(consistentRead)) throw new Error(`${table}: every key of a table is read with one consistency`);
    entry.Keys!.push(key);
  }
  for (let attempt = 1; pending && Object.keys(pending).length > 0; attempt += 1) {
    if (attempt > BATCH_ATTEMPTS) throw problems.busy('DynamoDB is busy; try again.');
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const result: BatchGetCommandOutput = await dynamo.send(new BatchGetCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(result.Responses ?? {})) (found[table] ??= []).push(...items);
    pending = result.UnprocessedKeys;
  }
  return requests.map(({ table, key }) => found[table]?.find((item) => sameKey(item, key)));
}
