import { DynamoDBStreamsClient, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { aggregatorFunction } from '#shared/model/functions';
import { keys } from '#shared/model/keys';
import type { TableId } from '#shared/model/tables';

/**
 * When a write becomes visible in the aggregates, measured from outside the stack with little load on
 * it: one GetItem of the England aggregate of the day per look (however many writes are pending), and a
 * bare reader of the returns stream for the order the aggregator applies them in. The aggregator applies
 * records in stream order, so the k-th record in the stream is in the count from the first look that
 * counted k. (DynamoDB Local truncates the stream's own creation times to the minute: no use here.)
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stream poller's own wait after a GetRecords that found nothing (scripts/local/stream-poller.ts). */
export const POLLER_IDLE_MS = 250;

/**
 * From looks at a running count (when, and how many were counted then), the time each of the first
 * `total` was first counted: the k-th (0-based) at the first look whose count exceeded k. Undefined for
 * one no look counted; a count that falls back (it should not) is ignored.
 */
export function firstTimesCounted(looks: ReadonlyArray<{ at: number; count: number }>, total: number): Array<number | undefined> {
  const times: Array<number | undefined> = Array.from({ length: total }, () => undefined);
  let counted = 0;
  for (const { at, count } of looks) {
    while (counted < Math.min(count, total)) times[counted++] = at;
  }
  return times;
}

/** Stream sequence numbers are decimal strings of up to 40 digits: compare them as numbers; missing ones last. */
export function compareSequenceNumbers(a: string | undefined, b: string | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface BareStreamReader {
  /** Resolves once every open shard has its LATEST iterator: records written after this are seen. */
  ready: Promise<void>;
  shards(): number;
  stop(): Promise<void>;
}

/**
 * A bare reader of the returns stream: GetRecords on every open shard with the poller's batch size and
 * its wait when a read finds nothing. Tells `onRecord` each new image's `locationId#reportDate#version`,
 * when it arrived (performance.now()) and its sequence number.
 */
export function startBareStreamReader(endpoint: string, streamArn: string, onRecord: (key: string, at: number, sequenceNumber: string) => void): BareStreamReader {
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const seen = new Set<string>();
  const tasks: Promise<void>[] = [];
  let stopping = false;
  const readShard = async (shardId: string, type: 'LATEST' | 'TRIM_HORIZON') => {
    let last: string | undefined;
    let from: 'LATEST' | 'TRIM_HORIZON' = type;
    const iteratorFor = async () =>
      (
        await streams.send(
          new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...(last ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last } : { ShardIteratorType: from }) }),
        )
      ).ShardIterator;
    let iterator: string | undefined;
    while (!stopping) {
      try {
        iterator ??= await iteratorFor();
        if (!iterator) return;
        const response = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: aggregatorFunction.stream.batchSize }));
        const at = performance.now();
        for (const record of response.Records ?? []) {
          last = record.dynamodb?.SequenceNumber ?? last;
          const image = record.dynamodb?.NewImage;
          if (image?.locationId?.S && image.reportDate?.S && image.version?.N) onRecord(`${image.locationId.S}#${image.reportDate.S}#${image.version.N}`, at, record.dynamodb?.SequenceNumber ?? '');
        }
        iterator = response.NextShardIterator;
        if (!iterator) return;
        if ((response.Records ?? []).length === 0) await sleep(POLLER_IDLE_MS);
      } catch (error) {
        // Iterators expire, and DynamoDB Local answers TrimmedDataAccessException on a brand-new stream (as
        // the stream poller knows): take a new one after the last record read, or from the oldest kept.
        if ((error as Error).name === 'TrimmedDataAccessException') from = 'TRIM_HORIZON';
        iterator = undefined;
        await sleep(100);
      }
    }
  };
  const refresh = async (type: 'LATEST' | 'TRIM_HORIZON') => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || seen.has(shard.ShardId)) continue;
      seen.add(shard.ShardId);
      // At the start only open shards matter; a shard that appears later is read from its beginning.
      if (type === 'LATEST' && shard.SequenceNumberRange?.EndingSequenceNumber) continue;
      tasks.push(readShard(shard.ShardId, type));
    }
  };
  const ready = refresh('LATEST');
  tasks.push(
    (async () => {
      await ready;
      while (!stopping) {
        await sleep(1000);
        if (!stopping) await refresh('TRIM_HORIZON').catch(() => undefined);
      }
    })(),
  );
  return {
    ready,
    shards: () => seen.size,
    stop: async () => {
      stopping = true;
      await Promise.allSettled(tasks);
      streams.destroy();
    },
  };
}

/** The England aggregate's `locationsReporting` for a day: every location that reported it, counted by the aggregator. */
export async function englandReporting(db: DynamoDBDocumentClient, tables: Record<TableId, string>, reportDate: string): Promise<number> {
  const { Item } = await db.send(new GetCommand({ TableName: tables.aggregates, Key: keys.aggregate('england#E92000001', reportDate) }));
  return Number(Item?.locationsReporting ?? 0);
}

/** A count of the day's England aggregate looked at every `everyMs` until stopped: when, and how many more than at the start. */
export function watchEnglandCount(db: DynamoDBDocumentClient, tables: Record<TableId, string>, reportDate: string, before: number, everyMs: number): { looks: Array<{ at: number; count: number }>; last(): number; stop(): Promise<void> } {
  const looks: Array<{ at: number; count: number }> = [];
  let watching = true;
  const task = (async () => {
    while (watching) {
      try {
        const count = (await englandReporting(db, tables, reportDate)) - before;
        looks.push({ at: performance.now(), count });
      } catch {
        // a look that failed is a look missed; the next one counts
      }
      await sleep(everyMs);
    }
  })();
  return {
    looks,
    last: () => looks.at(-1)?.count ?? 0,
    stop: async () => {
      watching = false;
      await task;
    },
  };
}
