import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startStreamPoller, type StreamPoller, type StreamPollerOptions } from '#scripts/local/stream-poller';
import { until } from '#test/helpers/wait';

const endpoint = process.env.DYNAMODB_ENDPOINT!;
const db = new DynamoDBClient({ endpoint });
const run = randomUUID().slice(0, 8);
const workDir = mkdtempSync(join(tmpdir(), 'stream-poller-test-'));
const createdTables: string[] = [];
const pollers: StreamPoller[] = [];
let tableCount = 0;

/** A fresh table per test, so each poller reading from TRIM_HORIZON sees only that test's writes. */
async function streamTable(): Promise<{ tableName: string; streamArn: string }> {
  const tableName = `stream-poller-${run}-${++tableCount}`;
  await db.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  createdTables.push(tableName);
  const { Table } = await db.send(new DescribeTableCommand({ TableName: tableName }));
  return { tableName, streamArn: Table!.LatestStreamArn! };
}

const put = (tableName: string, pk: string, attributes: Record<string, AttributeValue> = {}) =>
  db.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk }, ...attributes } }));
const putAll = async (tableName: string, keys: string[]) => {
  for (const key of keys) await put(tableName, key);
};

type Handler = StreamPollerOptions['handler'];

async function start(options: Partial<StreamPollerOptions> & Pick<StreamPollerOptions, 'endpoint' | 'tableName' | 'handler'>): Promise<StreamPoller> {
  const poller = await startStreamPoller({
    functionName: 'stream-poller-test',
    deadLetterFile: join(workDir, `${options.tableName}.dead-letters.jsonl`),
    pollIntervalMs: 20,
    retryDelayMs: 10,
    maxRetryDelayMs: 50,
    shardRefreshMs: 200,
    log: () => undefined,
    ...options,
  });
  pollers.push(poller);
  return poller;
}

/** Every delivery, as the handler saw it. */
function recorder(respond: (event: DynamoDBStreamEvent, call: number) => Promise<DynamoDBBatchResponse | void> | DynamoDBBatchResponse | void = () => undefined) {
  const deliveries: DynamoDBRecord[][] = [];
  const contexts: Context[] = [];
  const handler: Handler = async (event, context) => {
    deliveries.push(event.Records);
    contexts.push(context);
    return respond(event, deliveries.length);
  };
  return { handler, deliveries, contexts };
}

const keyOf = (record: DynamoDBRecord) => record.dynamodb!.Keys!.pk!.S!;
const keys = (records: DynamoDBRecord[]) => records.map(keyOf);
const seqOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;
const deadLetters = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown> & { records: DynamoDBRecord[] })
    : [];

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});

afterAll(async () => {
  for (const tableName of createdTables) await db.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  db.destroy();
  rmSync(workDir, { recursive: true, force: true });
});

describe('stream poller against DynamoDB Local', () => {
  test('INSERT, MODIFY and REMOVE arrive in order, shaped as Lambda delivers them', async () => {
    const { tableName, streamArn } = await streamTable();
    await put(tableName, 'a', {
      n: { N: '1' },
      bin: { B: new Uint8Array([1, 2, 3]) },
      nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }, { S: 'x' }] } } },
      tags: { SS: ['x', 'y'] },
      blobs: { BS: [new Uint8Array([255])] },
    });
    await db.send(
      new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } }),
    );
    await db.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'a' } } }));
    const { handler, deliveries, contexts } = recorder();
    const poller = await start({ endpoint, tableName, handler, functionName: 'aggregator', timeoutMs: 5_000 });
    await poller.drain(10_000);

    const records = deliveries.flat();
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    for (const record of records) {
      expect(record).toMatchObject({ eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: process.env.AWS_REGION, eventSourceARN: streamArn });
      expect(record.eventID).toEqual(expect.any(String));
      const created = record.dynamodb!.ApproximateCreationDateTime;
      expect(typeof created).toBe('number');
      expect(Number.isInteger(created)).toBe(true);
      expect(Math.abs(created! - Date.now() / 1000)).toBeLessThan(120);
      expect(record.dynamodb).toMatchObject({ Keys: { pk: { S: 'a' } }, StreamViewType: 'NEW_AND_OLD_IMAGES', SizeBytes: expect.any(Number) });
    }
    expect(insert.dynamodb!.NewImage).toEqual({
      pk: { S: 'a' },
      n: { N: '1' },
      bin: { B: 'AQID' },
      nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }, { S: 'x' }] } } },
      tags: { SS: ['x', 'y'] },
      blobs: { BS: ['/w=='] },
    });
    expect(insert.dynamodb!.OldImage).toBeUndefined();
    expect(modify.dynamodb!.OldImage!.n).toEqual({ N: '1' });
    expect(modify.dynamodb!.NewImage!.n).toEqual({ N: '2' });
    expect(remove.dynamodb!.NewImage).toBeUndefined();
    expect(remove.dynamodb!.OldImage!.n).toEqual({ N: '2' });
    const sequence = records.map((record) => BigInt(seqOf(record)));
    expect(sequence).toEqual([...sequence].sort((x, y) => (x < y ? -1 : 1)));
    expect(new Set(sequence).size).toBe(3);
    expect(contexts[0]).toMatchObject({ functionName: 'aggregator' });
    expect(contexts[0]!.getRemainingTimeInMillis()).toBeGreaterThan(0);
    // The event is JSON all the way down, as Lambda's is.
    expect(JSON.parse(JSON.stringify(records))).toEqual(records);

    // Writes made while it runs are delivered too.
    await putAll(tableName, ['b', 'c']);
    await poller.drain(10_000);
    expect(keys(deliveries.flat())).toEqual(['a', 'a', 'a', 'b', 'c']);
    expect(poller.stats()).toMatchObject({ delivered: 5, retries: 0, deadLettered: 0 });
  });

  test('a partial batch failure redelivers from the lowest failed record on, and loses nothing', async () => {
    const { tableName } = await streamTable();
    const written = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'];
    await putAll(tableName, written); // before the start, so the first poll reads them as one batch
    const { handler, deliveries } = recorder((event, call) =>
      // Three failures reported, out of order: Lambda goes back to the lowest, not the first or the last.
      call === 1 ? { batchItemFailures: [4, 2, 5].map((index) => ({ itemIdentifier: seqOf(event.Records[index]!) })) } : { batchItemFailures: [] },
    );
    const poller = await start({ endpoint, tableName, handler, batchSize: 10 });
    await poller.drain(10_000);

    expect(deliveries.map(keys)).toEqual([written, ['r2', 'r3', 'r4', 'r5']]);
    expect(seqOf(deliveries[1]![0]!)).toBe(seqOf(deliveries[0]![2]!));
    expect(poller.stats()).toEqual({ delivered: 6, batches: 2, retries: 1, bisections: 0, deadLettered: 0 });
  });

  test('with maximumRetryAttempts 0 the rest of a partially failed batch is dead-lettered at once', async () => {
    const { tableName } = await streamTable();
    await putAll(tableName, ['p0', 'p1', 'p2', 'p3']);
    const { handler, deliveries } = recorder((event) => ({ batchItemFailures: event.Records.filter((r) => keyOf(r) === 'p2').map((r) => ({ itemIdentifier: seqOf(r) })) }));
    const deadLetterFile = join(workDir, `${tableName}.jsonl`);
    const poller = await start({ endpoint, tableName, handler, maximumRetryAttempts: 0, deadLetterFile });
    await poller.drain(10_000);
    expect(deliveries.map(keys)).toEqual([['p0', 'p1', 'p2', 'p3']]);
    expect(deadLetters(deadLetterFile).map((line) => [keys(line.records), line.attempts])).toEqual([[['p2', 'p3'], 1]]);
    expect(poller.stats()).toEqual({ delivered: 2, batches: 1, retries: 0, bisections: 0, deadLettered: 2 });
  });

  test('an itemIdentifier that is empty or not in the batch fails the whole batch', async () => {
    const { tableName } = await streamTable();
    await putAll(tableName, ['x0', 'x1', 'x2']);
    const answers: DynamoDBBatchResponse[] = [{ batchItemFailures: [{ itemIdentifier: '' }] }, { batchItemFailures: [{ itemIdentifier: '42' }] }];
    const { handler, deliveries } = recorder((_, call) => answers[call - 1]);
    const poller = await start({ endpoint, tableName, handler, bisectBatchOnError: false });
    await poller.drain(10_000);
    expect(deliveries.map(keys)).toEqual([
      ['x0', 'x1', 'x2'],
      ['x0', 'x1', 'x2'],
      ['x0', 'x1', 'x2'],
    ]);
    expect(poller.stats()).toEqual({ delivered: 3, batches: 3, retries: 2, bisections: 0, deadLettered: 0 });
  });

  test('a handler that throws, then times out, is retried with the same records and then succeeds', async () => {
    const { tableName } = await streamTable();
    await putAll(tableName, ['t0', 't1', 't2']);
    // The second invocation hangs until the end of the test: it can only end by the 150 ms deadline, however
    // slow the machine (it used to sleep 1 s, and had to be the slower of the two timers).
    let unhang!: () => void;
    const hung = new Promise<void>((resolve) => (unhang = resolve));
    const { handler, deliveries } = recorder(async (_, call) => {
      if (call === 1) throw new Error('database unavailable');
      if (call === 2) await hung;
    });
    try {
      const poller = await start({ endpoint, tableName, handler, bisectBatchOnError: false, timeoutMs: 150 });
      await poller.drain(10_000);

      expect(deliveries.map(keys)).toEqual([
        ['t0', 't1', 't2'],
        ['t0', 't1', 't2'],
        ['t0', 't1', 't2'],
      ]);
      expect(poller.stats()).toEqual({ delivered: 3, batches: 3, retries: 2, bisections: 0, deadLettered: 0 });
      expect(existsSync(join(workDir, `${tableName}.dead-letters.jsonl`))).toBe(false);
    } finally {
      unhang();
    }
  });

  test('a batch that keeps failing is dead-lettered after maximumRetryAttempts retries, and later records still arrive', async () => {
    const { tableName, streamArn } = await streamTable();
    await putAll(tableName, ['poison-1', 'poison-2']);
    const { handler, deliveries } = recorder((event) => {
      if (keys(event.Records).some((key) => key.startsWith('poison'))) throw new Error('cannot handle poison');
    });
    const deadLetterFile = join(workDir, 'nested', 'dir', `${tableName}.jsonl`);
    const poller = await start({ endpoint, tableName, handler, bisectBatchOnError: false, maximumRetryAttempts: 2, deadLetterFile, functionName: 'aggregator' });
    await poller.drain(10_000);

    expect(deliveries.map(keys)).toEqual([
      ['poison-1', 'poison-2'],
      ['poison-1', 'poison-2'],
      ['poison-1', 'poison-2'],
    ]);
    const lines = deadLetters(deadLetterFile);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      functionName: 'aggregator',
      streamArn,
      shardId: expect.stringMatching(/^shardId-/),
      startSequenceNumber: seqOf(deliveries[0]![0]!),
      endSequenceNumber: seqOf(deliveries[0]![1]!),
      batchSize: 2,
      attempts: 3,
      lastError: expect.stringContaining('cannot handle poison'),
    });
    expect(new Date(line!.failedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(keys(line!.records)).toEqual(['poison-1', 'poison-2']);
    expect(line!.records[0]).toMatchObject({ eventName: 'INSERT', eventSourceARN: streamArn });

    await putAll(tableName, ['good-1', 'good-2']);
    await poller.drain(10_000);
    expect(keys(deliveries.slice(3).flat())).toEqual(['good-1', 'good-2']); // in one batch or two, as the polls fall
    expect(deadLetters(deadLetterFile)).toHaveLength(1);
    expect(poller.stats()).toMatchObject({ delivered: 2, retries: 2, deadLettered: 2 });
  });

  test('bisecting a failed batch isolates the bad record; splits do not count as retries', async () => {
    const { tableName } = await streamTable();
    await putAll(tableName, ['ok-1', 'ok-2', 'bad', 'ok-3']);
    const { handler, deliveries } = recorder((event) => {
      if (keys(event.Records).includes('bad')) throw new Error('bad record');
    });
    const deadLetterFile = join(workDir, `${tableName}.jsonl`);
    const poller = await start({ endpoint, tableName, handler, maximumRetryAttempts: 1, deadLetterFile });
    await poller.drain(10_000);

    expect(deliveries.map(keys)).toEqual([['ok-1', 'ok-2', 'bad', 'ok-3'], ['ok-1', 'ok-2'], ['bad', 'ok-3'], ['bad'], ['bad'], ['ok-3']]);
    const lines = deadLetters(deadLetterFile);
    expect(lines.map((line) => keys(line.records))).toEqual([['bad']]);
    expect(lines[0]).toMatchObject({ batchSize: 1, attempts: 4 });
    expect(poller.stats()).toEqual({ delivered: 3, batches: 6, retries: 1, bisections: 2, deadLettered: 1 });
  });

  test('a restart with the same checkpoint file resumes after the handled records', async () => {
    const { tableName } = await streamTable();
    const checkpointFile = join(workDir, `${tableName}.checkpoints.json`);
    await putAll(tableName, ['c1', 'c2', 'c3']);
    const first = recorder();
    const poller = await start({ endpoint, tableName, handler: first.handler, checkpointFile });
    await poller.drain(10_000);
    await poller.stop();
    expect(keys(first.deliveries.flat())).toEqual(['c1', 'c2', 'c3']);
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { shards: Record<string, { sequenceNumber: string }> };
    expect(Object.values(saved.shards).map((shard) => shard.sequenceNumber)).toEqual([seqOf(first.deliveries.flat()[2]!)]);

    await putAll(tableName, ['c4', 'c5']); // while nothing is polling
    const second = recorder();
    const restarted = await start({ endpoint, tableName, handler: second.handler, checkpointFile });
    await restarted.drain(10_000);
    expect(keys(second.deliveries.flat())).toEqual(['c4', 'c5']);
  });

  test('LATEST skips what was written before the start, but not what is written after', async () => {
    const { tableName } = await streamTable();
    await putAll(tableName, ['old-1', 'old-2']);
    const { handler, deliveries } = recorder();
    const poller = await start({ endpoint, tableName, handler, startingPosition: 'LATEST' });
    await put(tableName, 'new-1');
    await poller.drain(10_000);
    expect(keys(deliveries.flat())).toEqual(['new-1']);
  });

  test('drain() waits for every record written before it, and says what is behind when it times out', async () => {
    const { tableName } = await streamTable();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { handler, deliveries } = recorder(async (_, call) => {
      if (call === 1) await gate;
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    const poller = await start({ endpoint, tableName, handler, batchSize: 3 });
    await put(tableName, 'd0');
    // Held by the handler: the drain below cannot catch up, and what is behind is that batch. (Without this
    // wait, on a slow machine the poller might not have read d0 yet when the drain gave up.) What the drain
    // names needs one look at the shard list after it began: its deadline leaves ample time for that.
    await until(() => deliveries.length === 1, { what: 'the handler to be holding d0' });
    await expect(poller.drain(3_000)).rejects.toThrow(/not caught up after 3000 ms: shardId-\S+ with 1 record\(s\) pending/);
    const written = Array.from({ length: 10 }, (_, index) => `d${index + 1}`);
    await putAll(tableName, written);
    release();
    await poller.drain(10_000);
    expect(keys(deliveries.flat())).toEqual(['d0', ...written]);
    expect(poller.stats().delivered).toBe(11);
  });

  test('a table without a stream is refused at the start', async () => {
    const tableName = `stream-poller-${run}-nostream`;
    await db.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    createdTables.push(tableName);
    await expect(start({ endpoint, tableName, handler: async () => undefined })).rejects.toThrow(/has no stream/);
  });
});

/**
 * DynamoDB Local rotates shards only every four hours and expires iterators after fifteen minutes, so
 * lineage, rediscovery and expiry are tried against a stand-in that speaks the same JSON protocol.
 */
describe('stream poller against a scripted stream', () => {
  interface FakeShard {
    shardId: string;
    parentShardId?: string;
    records: number[];
    closed: boolean;
  }
  const sequence = (n: number) => String(n).padStart(21, '0');

  async function fakeStream(): Promise<{ url: string; shards: FakeShard[]; calls: string[]; expireNextRead: Set<string>; server: Server }> {
    const streamArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/scripted/stream/2026-01-01T00:00:00.000';
    const shards: FakeShard[] = [];
    const calls: string[] = [];
    const expireNextRead = new Set<string>();
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const reply = (status: number, payload: unknown) => {
          response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(JSON.stringify(payload));
        };
        const fail = (type: string, message: string) => reply(400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
        const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
        const input = JSON.parse(body || '{}') as Record<string, string | number | undefined>;
        const shard = (id: unknown) => shards.find((candidate) => candidate.shardId === id);
        switch (operation) {
          case 'DescribeTable':
            return reply(200, {
              Table: { TableName: input.TableName, TableStatus: 'ACTIVE', LatestStreamArn: streamArn, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } },
            });
          case 'DescribeStream': {
            // Newest first and one shard a page: children are listed before their parents, and paging is needed.
            const listed = [...shards].reverse();
            const from = input.ExclusiveStartShardId ? listed.findIndex((candidate) => candidate.shardId === input.ExclusiveStartShardId) + 1 : 0;
            const page = listed.slice(from, from + 1);
            return reply(200, {
              StreamDescription: {
                StreamArn: streamArn,
                StreamStatus: 'ENABLED',
                StreamViewType: 'NEW_AND_OLD_IMAGES',
                Shards: page.map((s) => ({
                  ShardId: s.shardId,
                  ...(s.parentShardId ? { ParentShardId: s.parentShardId } : {}),
                  SequenceNumberRange: { StartingSequenceNumber: sequence(s.records[0]!), ...(s.closed ? { EndingSequenceNumber: sequence(s.records.at(-1)!) } : {}) },
                })),
                ...(from + 1 < listed.length ? { LastEvaluatedShardId: page[0]!.shardId } : {}),
              },
            });
          }
          case 'GetShardIterator': {
            const target = shard(input.ShardId);
            if (!target) return fail('ResourceNotFoundException', 'Shard does not exist');
            calls.push(`GetShardIterator ${target.shardId} ${input.ShardIteratorType}${input.SequenceNumber ? ` ${Number(input.SequenceNumber)}` : ''}`);
            const at = target.records.indexOf(Number(input.SequenceNumber));
            const position = { TRIM_HORIZON: 0, LATEST: target.records.length, AFTER_SEQUENCE_NUMBER: at + 1, AT_SEQUENCE_NUMBER: at }[String(input.ShardIteratorType)];
            if (position === undefined || position < 0) return fail('ValidationException', 'Invalid SequenceNumber for the shard');
            return reply(200, { ShardIterator: `${target.shardId}|${position}` });
          }
          case 'GetRecords': {
            const [shardId, at] = String(input.ShardIterator).split('|');
            const target = shard(shardId)!;
            calls.push(`GetRecords ${shardId}`);
            if (expireNextRead.delete(target.shardId)) return fail('ExpiredIteratorException', 'Iterator expired');
            const start = Number(at);
            const page = target.records.slice(start, start + Number(input.Limit));
            const next = start + page.length;
            return reply(200, {
              Records: page.map((n) => ({
                eventID: `event-${n}`,
                eventName: 'INSERT',
                eventVersion: '1.1',
                eventSource: 'aws:dynamodb',
                awsRegion: 'ddblocal',
                dynamodb: {
                  ApproximateCreationDateTime: 1767225600,
                  Keys: { pk: { S: `k${n}` } },
                  NewImage: { pk: { S: `k${n}` } },
                  SequenceNumber: sequence(n),
                  SizeBytes: 10,
                  StreamViewType: 'NEW_AND_OLD_IMAGES',
                },
              })),
              ...(target.closed && next >= target.records.length ? {} : { NextShardIterator: `${target.shardId}|${next}` }),
            });
          }
          default:
            return fail('UnknownOperationException', `${operation} is not scripted`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, shards, calls, expireNextRead, server };
  }

  test('rotated shards: each parent is read to its end before its child, an expired iterator resumes, a restart skips what was done', async () => {
    const fake = await fakeStream();
    try {
      fake.shards.push({ shardId: 'shard-1', records: [1, 2, 3], closed: false });
      let running = 0;
      let mostAtOnce = 0;
      const { handler, deliveries } = recorder(async () => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await new Promise((resolve) => setTimeout(resolve, 25));
        running -= 1;
      });
      const checkpointFile = join(workDir, 'scripted.checkpoints.json');
      const poller = await start({ endpoint: fake.url, tableName: 'scripted', handler, batchSize: 2, checkpointFile });
      await poller.drain(5_000);
      expect(deliveries.map(keys)).toEqual([['k1', 'k2'], ['k3']]);

      // The next read finds its iterator expired, and the shard closes with two more records.
      fake.expireNextRead.add('shard-1');
      fake.shards[0]!.records.push(4, 5);
      fake.shards[0]!.closed = true;
      await poller.drain(5_000);
      expect(keys(deliveries.flat())).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
      expect(fake.calls).toContain('GetShardIterator shard-1 AFTER_SEQUENCE_NUMBER 3');

      // A child appearing after its parent was finished is found by the next look at the shard list.
      fake.shards.push({ shardId: 'shard-2', parentShardId: 'shard-1', records: [6, 7, 8], closed: false });
      await poller.drain(5_000);
      expect(keys(deliveries.flat()).slice(5)).toEqual(['k6', 'k7', 'k8']);

      // A grandchild listed (first) while its parent still has a record to give must wait for it.
      fake.shards[1]!.records.push(9);
      fake.shards[1]!.closed = true;
      fake.shards.push({ shardId: 'shard-3', parentShardId: 'shard-2', records: [10, 11], closed: false });
      await poller.drain(5_000);
      expect(keys(deliveries.flat())).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10', 'k11']);
      expect(mostAtOnce).toBe(1);
      expect(fake.calls.indexOf('GetShardIterator shard-3 TRIM_HORIZON')).toBeGreaterThan(fake.calls.lastIndexOf('GetRecords shard-2'));
      expect(deliveries.flat()[0]).toMatchObject({ awsRegion: process.env.AWS_REGION, dynamodb: { ApproximateCreationDateTime: 1767225600 } });
      await poller.stop();

      const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { shards: Record<string, { sequenceNumber?: string; finished?: boolean }> };
      expect(saved.shards).toEqual({
        'shard-1': { sequenceNumber: sequence(5), finished: true },
        'shard-2': { sequenceNumber: sequence(9), finished: true },
        'shard-3': { sequenceNumber: sequence(11) },
      });

      fake.calls.length = 0;
      const again = recorder();
      const restarted = await start({ endpoint: fake.url, tableName: 'scripted', handler: again.handler, checkpointFile });
      await restarted.drain(5_000);
      expect(again.deliveries).toEqual([]);
      expect(fake.calls.filter((call) => call.startsWith('GetShardIterator'))).toEqual(['GetShardIterator shard-3 AFTER_SEQUENCE_NUMBER 11']);
    } finally {
      await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
      await new Promise((resolve) => fake.server.close(resolve));
    }
  });
});
