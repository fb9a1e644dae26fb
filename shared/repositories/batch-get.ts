import { BatchGetCommand, type BatchGetCommandInput, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { problems } from '#shared/model/errors';
import { dynamo } from '#shared/runtime/dynamodb';

type RequestItems = NonNullable<BatchGetCommandInput['RequestItems']>;
/** How one table's keys are read: consistency, projection (the keys themselves aside). */
export type KeysRead = Omit<RequestItems[string], 'Keys'>;

export interface RetryOptions {
  /** The first pause before asking again for unprocessed keys; it doubles each time (up to 64×). */
  pauseMs?: number;
  /** Give up after this many requests with a 503 that says to retry (a route's read); unset: until done (a job's). */
  maxAttempts?: number;
}

const MAX_KEYS = 100;

/**
 * One BatchGetItem, then again for whatever DynamoDB left unprocessed (throttling), with a growing pause;
 * each answer's items go to `onItems`, table by table. The one retry loop of every batch read.
 */
export async function batchGetUntilDone(requestItems: RequestItems, onItems: (table: string, items: Record<string, unknown>[]) => void, { pauseMs = 50, maxAttempts }: RetryOptions = {}): Promise<void> {
  let pending: BatchGetCommandInput['RequestItems'] = requestItems;
  for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt += 1) {
    if (maxAttempts !== undefined && attempt >= maxAttempts) throw problems.busy('DynamoDB is busy; try again.');
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs * 2 ** Math.min(attempt, 6)));
    const result: BatchGetCommandOutput = await dynamo.send(new BatchGetCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(result.Responses ?? {})) onItems(table, items);
    pending = result.UnprocessedKeys;
  }
}

/**
 * Items of one table by key, any number (those that exist, in no order): BatchGetItem requests of at most
 * 100 keys, a key asked for twice asked once (DynamoDB refuses a request that repeats one). One request
 * after another, or `sideBySide` (a page a caller waits for).
 */
export async function batchGetKeys(
  table: string,
  keys: readonly Record<string, unknown>[],
  read: KeysRead = {},
  { sideBySide = false, ...retry }: RetryOptions & { sideBySide?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const unique = [...new Map(keys.map((key) => [JSON.stringify(key), key])).values()];
  const chunks = Array.from({ length: Math.ceil(unique.length / MAX_KEYS) }, (_, i) => unique.slice(i * MAX_KEYS, (i + 1) * MAX_KEYS));
  const found: Record<string, unknown>[] = [];
  const readChunk = (chunk: Record<string, unknown>[]) => batchGetUntilDone({ [table]: { ...read, Keys: chunk } }, (_table, items) => found.push(...items), retry);
  if (sideBySide) await Promise.all(chunks.map(readChunk));
  else for (const chunk of chunks) await readChunk(chunk);
  return found;
}

/** One item to read: its table's name and its full key. */
export interface ItemRequest {
  table: string;
  key: Record<string, string>;
  /** Strongly consistent; a table's keys are all read one way, so every request of a table must agree. */
  consistentRead?: boolean;
}

const sameKey = (item: Record<string, unknown>, key: Record<string, string>) => Object.entries(key).every(([name, value]) => item[name] === value);

/**
 * Items of one or more tables in ONE BatchGetItem (up to 100), each answered in the order asked
 * (undefined: no such item), for a request a caller waits on: after six tries at unprocessed keys, a 503
 * that says to retry, as a throttled write is.
 */
export async function getItemsInOneBatch(requests: readonly ItemRequest[]): Promise<(Record<string, unknown> | undefined)[]> {
  if (requests.length > MAX_KEYS) throw new Error(`BatchGetItem reads at most ${MAX_KEYS} keys, not ${requests.length}`);
  const requestItems: RequestItems = {};
  for (const { table, key, consistentRead } of requests) {
    const entry = (requestItems[table] ??= { Keys: [], ...(consistentRead ? { ConsistentRead: true } : {}) });
    if (Boolean(entry.ConsistentRead) !== Boolean(consistentRead)) throw new Error(`${table}: every key of a table is read with one consistency`);
    entry.Keys!.push(key);
  }
  const found: Record<string, Record<string, unknown>[]> = {};
  await batchGetUntilDone(requestItems, (table, items) => (found[table] ??= []).push(...items), { maxAttempts: 6 });
  return requests.map(({ table, key }) => found[table]?.find((item) => sameKey(item, key)));
}
