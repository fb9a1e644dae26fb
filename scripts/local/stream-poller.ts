import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException as TableNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from './lambda-context';
import { interpretBatchResponse, type BatchOutcome } from './stream/batch-result';
import { CheckpointStore } from './stream/checkpoints';
import { sequenceNumberOf, toLambdaRecord } from './stream/records';

export interface StreamPollerOptions {
  /** DynamoDB Local. */
  endpoint: string;
  /** A table with a stream (StreamViewType NEW_AND_OLD_IMAGES). */
  tableName: string;
  /** For the Lambda context and the logs. */
  functionName: string;
  handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;
  /** Records per invocation, 1..1000 (one GetRecords call); default 100, like Lambda. */
  batchSize?: number;
  /** Retries after the first attempt before a batch is dead-lettered; default 3. */
  maximumRetryAttempts?: number;
  /** Split a failed batch in two and retry each half; the split does not count as a retry. Default true. */
  bisectBatchOnError?: boolean;
  /**
   * Records written longer ago than this are not delivered (again): they go to the dead-letter file with
   * condition `RecordAgeExceeded`, as Lambda sends them to the on-failure destination. Default: no limit
   * (Lambda's -1). The age is from each record's ApproximateCreationDateTime, which DynamoDB Local
   * truncates to the minute, so a record can be judged up to a minute older than it is.
   */
  maximumRecordAgeSeconds?: number;
  /** The clock record ages are judged by (tests move it on); default Date.now. */
  now?: () => number;
  /** Wait before polling a shard again when it had nothing; default 250 ms. */
  pollIntervalMs?: number;
  /** Where per-shard progress is kept across restarts (one file per poller); undefined = in memory. */
  checkpointFile?: string;
  /** JSON Lines: one line per batch given up on. */
  deadLetterFile: string;
  /** For shards with no checkpoint on the first start; shards found later always start at their beginning. Default TRIM_HORIZON. */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  log?: (line: string) => void;
  /** The handler's deadline; running past it fails the batch. Default 60 000 ms. */
  timeoutMs?: number;
  /** First retry delay, doubling per consecutive failure; default 100 ms. */
  retryDelayMs?: number;
  /** Cap on the retry delay; default 2 000 ms. */
  maxRetryDelayMs?: number;
  /** How often the shard list is read again to find new shards; default 5 000 ms. */
  shardRefreshMs?: number;
  /** Reported as each record's awsRegion (DynamoDB Local says "ddblocal"); default AWS_REGION or eu-west-2. */
  region?: string;
}

export interface StreamPollerStats {
  /** Records the handler has handled successfully (each counted once, however often it was delivered). */
  delivered: number;
  /** Handler invocations. */
  batches: number;
  /** Invocations that were retries counted against maximumRetryAttempts (bisecting is not one). */
  retries: number;
  /** Failed batches split in two and delivered again as halves (bisectBatchOnFunctionError). */
  bisections: number;
  /** Records written to the dead-letter file. */
  deadLettered: number;
}

export interface StreamPoller {
  /** Stops polling and waits for an in-flight batch (up to the handler timeout). */
  stop(): Promise<void>;
  /**
   * Resolves once every record written before the call has been handled (delivered or dead-lettered);
   * rejects after `timeoutMs` (default 30 000) naming the shards still behind. For tests and benchmarks.
   */
  drain(timeoutMs?: number): Promise<void>;
  stats(): StreamPollerStats;
}

/** Start polling the table's stream; resolves once the stream and its shards are found. */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const poller = new Poller(options);
  await poller.start();
  return poller;
}

interface PendingBatch {
  records: DynamoDBRecord[];
  /** Failed invocations counted against the retry limit for the records from the first one on. */
  failures: number;
}

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  streamArn: string;
  status: 'waiting' | 'running' | 'finished';
  /** Where to start without a checkpoint. */
  startAt: 'TRIM_HORIZON' | 'LATEST';
  iterator: string | undefined;
  /** GetRecords returned no next iterator: once `batches` are handled the shard is done. */
  ended: boolean;
  /** Fetched but not yet handled, oldest first; more are fetched only when this is empty. */
  batches: PendingBatch[];
  /** How often each pending record has been delivered, for the dead-letter line. */
  deliveries: Map<string, number>;
  /** Ticket of the last GetRecords that found nothing while nothing was pending. */
  caughtUpTicket: number;
  consecutiveFailures: number;
  consecutivePollErrors: number;
  task: Promise<void> | undefined;
}

type SleepKind = 'poll' | 'backoff' | 'refresh';

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);

class HandlerTimeout extends Error {
  override name = 'HandlerTimeout';
}

class Poller implements StreamPoller {
  private readonly batchSize: number;
  private readonly maximumRetryAttempts: number;
  private readonly bisect: boolean;
  private readonly maximumRecordAgeMs: number | undefined;
  private readonly now: () => number;
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly shardRefreshMs: number;
  private readonly region: string;
  private readonly log: (line: string) => void;
  private readonly dynamo: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly checkpoints: CheckpointStore;
  private readonly abort = new AbortController();

  private streamArn = '';
  private readonly shards = new Map<string, ShardState>();
  private readonly counters: StreamPollerStats = { delivered: 0, batches: 0, retries: 0, bisections: 0, deadLettered: 0 };
  /** Orders polls, refreshes and drain calls: anything with a higher ticket happened after. */
  private ticket = 0;
  private lastRefreshTicket = 0;
  private refreshRequested = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private coordinator: Promise<void> | undefined;
  private readonly sleepers = new Set<{ kind: SleepKind; wake: () => void }>();
  private readonly drainWaiters = new Set<() => void>();
  private tableMissingLogged = false;

  constructor(private readonly options: StreamPollerOptions) {
    this.batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 1000) {
      // One GetRecords call returns at most 1000 records, and a batch is what one call returns.
      throw new Error(`batchSize must be an integer from 1 to 1000, not ${this.batchSize}`);
    }
    this.maximumRetryAttempts = options.maximumRetryAttempts ?? 3;
    this.bisect = options.bisectBatchOnError ?? true;
    const maximumAge = options.maximumRecordAgeSeconds;
    if (maximumAge !== undefined && maximumAge !== -1 && !(Number.isFinite(maximumAge) && maximumAge > 0)) {
      throw new Error(`maximumRecordAgeSeconds must be a positive number of seconds, or -1 for no limit, not ${maximumAge}`);
    }
    this.maximumRecordAgeMs = maximumAge === undefined || maximumAge === -1 ? undefined : maximumAge * 1000;
    this.now = options.now ?? Date.now;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 2_000;
    this.shardRefreshMs = options.shardRefreshMs ?? 5_000;
    this.region = options.region ?? process.env.AWS_REGION ?? 'eu-west-2';
    const sink = options.log ?? ((line: string) => console.log(line));
    this.log = (line) => sink(`[stream ${options.functionName}] ${line}`);
    const clientConfig = {
      endpoint: options.endpoint,
      region: this.region,
      credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
      },
    };
    this.dynamo = new DynamoDBClient(clientConfig);
    this.streams = new DynamoDBStreamsClient(clientConfig);
    this.checkpoints = new CheckpointStore(options.checkpointFile, this.log);
  }

  async start(): Promise<void> {
    try {
      const streamArn = await this.currentStreamArn();
      if (!streamArn) throw new Error(`table ${this.options.tableName} has no stream enabled`);
      this.streamArn = streamArn;
      const resuming = this.checkpoints.load(streamArn);
      const startAt = resuming ? 'TRIM_HORIZON' : (this.options.startingPosition ?? 'TRIM_HORIZON');
      this.log(`polling ${streamArn}${resuming ? ' from its checkpoints' : ` from ${startAt}`}`);
      await this.refresh(startAt);
    } catch (error) {
      this.dynamo.destroy();
      this.streams.destroy();
      throw error;
    }
    this.coordinator = this.coordinate();
  }

  stats(): StreamPollerStats {
    return { ...this.counters };
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.abort.abort();
      this.wake('poll', 'backoff', 'refresh');
      await this.coordinator;
      await Promise.all([...this.shards.values()].map((shard) => shard.task));
      await this.checkpoints.flush();
      this.dynamo.destroy();
      this.streams.destroy();
      for (const waiter of this.drainWaiters) waiter();
    })();
    return this.stopped;
  }

  drain(timeoutMs = 30_000): Promise<void> {
    const ticket = ++this.ticket;
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.stopping) {
          finish();
          reject(new Error('the stream poller was stopped before it caught up'));
        } else if (this.caughtUpSince(ticket)) {
          finish();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`stream poller for ${this.options.tableName} not caught up after ${timeoutMs} ms: ${this.describeBacklog(ticket)}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.drainWaiters.delete(check);
      };
      this.drainWaiters.add(check);
      // Look now rather than after the poll interval and the shard refresh period.
      this.requestRefresh();
      this.wake('poll');
      check();
    });
  }

  // --- shard discovery -------------------------------------------------------------------------------

  private async coordinate(): Promise<void> {
    while (!this.stopping) {
      if (!this.refreshRequested) await this.sleep(this.shardRefreshMs, 'refresh');
      if (this.stopping) break;
      this.refreshRequested = false;
      try {
        await this.refresh('TRIM_HORIZON');
      } catch (error) {
        if (!this.stopping) this.log(`could not list the stream's shards: ${describeError(error)}`);
      }
    }
  }

  private requestRefresh(): void {
    this.refreshRequested = true;
    this.wake('refresh');
  }

  private async currentStreamArn(): Promise<string | undefined> {
    const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.options.tableName }), { abortSignal: this.abort.signal });
    return Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
  }

  private async listShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, Limit: 100, ExclusiveStartShardId: exclusiveStartShardId }),
        { abortSignal: this.abort.signal },
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  /** `startAt` applies to shards seen for the first time in this call and not checkpointed. */
  private async refresh(startAt: 'TRIM_HORIZON' | 'LATEST'): Promise<void> {
    const ticket = ++this.ticket;
    let streamArn: string | undefined;
    try {
      streamArn = await this.currentStreamArn();
      this.tableMissingLogged = false;
    } catch (error) {
      if (!(error instanceof TableNotFoundException)) throw error;
      if (!this.tableMissingLogged) this.log(`table ${this.options.tableName} does not exist (any more); waiting for it`);
      this.tableMissingLogged = true;
      return;
    }
    if (!streamArn) return;
    if (streamArn !== this.streamArn) {
      // The table was deleted and created again: its new stream holds only new records, so read it all.
      this.log(`the table has a new stream ${streamArn}; leaving ${this.streamArn}`);
      for (const shard of this.shards.values()) shard.status = 'finished';
      this.streamArn = streamArn;
      await this.checkpoints.reset(streamArn);
      startAt = 'TRIM_HORIZON';
    }

    const listed = await this.listShards(streamArn);
    for (const shard of listed) {
      const shardId = shard.ShardId;
      if (!shardId || this.shards.has(shardId)) continue;
      const checkpoint = this.checkpoints.get(shardId);
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const state: ShardState = {
        shardId,
        parentShardId: shard.ParentShardId,
        streamArn,
        status: 'waiting',
        startAt: checkpoint ? 'TRIM_HORIZON' : startAt,
        iterator: undefined,
        ended: false,
        batches: [],
        deliveries: new Map(),
        caughtUpTicket: 0,
        consecutiveFailures: 0,
        consecutivePollErrors: 0,
        task: undefined,
      };
      this.shards.set(shardId, state);
      if (checkpoint?.finished) {
        state.status = 'finished';
      } else if (!checkpoint && startAt === 'LATEST') {
        if (closed) {
          // Nothing new will ever arrive in a closed shard; remember that, so a restart does not read it.
          state.status = 'finished';
          await this.checkpoints.set(shardId, { finished: true });
        } else {
          // Fixed now, so records written after startStreamPoller resolves are not skipped.
          state.iterator = await this.getIterator(state, 'LATEST');
        }
      }
    }
    const live = new Set(listed.flatMap((shard) => (shard.ShardId ? [shard.ShardId] : [])));
    for (const [shardId, state] of this.shards) {
      // Shards drop out of the listing 24 hours after they close; a finished one is no longer needed.
      if (!live.has(shardId) && state.status === 'finished' && state.task === undefined) this.shards.delete(shardId);
    }
    this.checkpoints.prune(live);
    this.lastRefreshTicket = ticket;
    this.startEligibleShards();
    this.notifyDrainWaiters();
  }

  /** A child shard continues its parent's keys, so it waits until the parent has been read to its end. */
  private startEligibleShards(): void {
    if (this.stopping) return;
    for (const shard of this.shards.values()) {
      if (shard.status !== 'waiting') continue;
      const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
      if (parent && parent.status !== 'finished') continue;
      shard.status = 'running';
      shard.task = this.runShard(shard).catch((error: unknown) => {
        // runShard handles its own errors; this is a bug, and one shard's bug must not stop the others.
        this.log(`shard ${shard.shardId} stopped unexpectedly: ${describeError(error)}`);
      });
    }
  }

  // --- reading a shard ----------------------------------------------------------------------------------

  private async runShard(shard: ShardState): Promise<void> {
    this.log(`reading shard ${shard.shardId}${shard.parentShardId ? ` (child of ${shard.parentShardId})` : ''}`);
    while (!this.stopping && shard.status === 'running') {
      try {
        if (shard.batches.length > 0) {
          await this.handleNextBatch(shard);
          continue;
        }
        if (shard.ended) {
          await this.finishShard(shard);
          break;
        }
        shard.iterator ??= await this.iteratorFromCheckpoint(shard);
        const ticket = ++this.ticket;
        const response = await this.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.batchSize }), {
          abortSignal: this.abort.signal,
        });
        shard.consecutivePollErrors = 0;
        shard.iterator = response.NextShardIterator;
        if (!response.NextShardIterator) shard.ended = true;
        const records = (response.Records ?? []).map((record) => toLambdaRecord(record, shard.streamArn, this.region));
        if (records.length > 0) {
          shard.batches.push({ records, failures: 0 });
        } else if (!shard.ended) {
          shard.caughtUpTicket = ticket;
          this.notifyDrainWaiters();
          await this.sleep(this.pollIntervalMs, 'poll');
        }
      } catch (error) {
        if (this.stopping) break;
        await this.onPollError(shard, error);
      }
    }
  }

  private async iteratorFromCheckpoint(shard: ShardState): Promise<string> {
    const sequenceNumber = this.checkpoints.get(shard.shardId)?.sequenceNumber;
    if (!sequenceNumber) return this.getIterator(shard, shard.startAt);
    try {
      return await this.getIterator(shard, 'AFTER_SEQUENCE_NUMBER', sequenceNumber);
    } catch (error) {
      const name = errorName(error);
      if (name !== 'TrimmedDataAccessException' && name !== 'ValidationException') throw error;
      this.log(`shard ${shard.shardId}: cannot resume after ${sequenceNumber} (${describeError(error)}); reading from the oldest record kept`);
      return this.getIterator(shard, 'TRIM_HORIZON');
    }
  }

  private async getIterator(shard: ShardState, type: ShardIteratorType, sequenceNumber?: string): Promise<string> {
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({ StreamArn: shard.streamArn, ShardId: shard.shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber }),
      { abortSignal: this.abort.signal },
    );
    if (!ShardIterator) throw new Error(`no ${type} iterator for shard ${shard.shardId}`);
    return ShardIterator;
  }

  private async onPollError(shard: ShardState, error: unknown): Promise<void> {
    switch (errorName(error)) {
      case 'ExpiredIteratorException':
        // Iterators last 15 minutes; this happens after the machine slept or a handler ran that long.
        this.log(`shard ${shard.shardId}: iterator expired; resuming from the checkpoint`);
        shard.iterator = undefined;
        return;
      case 'TrimmedDataAccessException':
        // DynamoDB Local also answers this on a brand-new stream; the oldest record kept is where to go on.
        this.log(`shard ${shard.shardId}: GetRecords answered TrimmedDataAccessException; reading on from the oldest record kept`);
        shard.iterator = await this.getIterator(shard, 'TRIM_HORIZON').catch(() => undefined);
        return;
      case 'ResourceNotFoundException':
        // The shard expired or the table (and its stream) was deleted; the refresh finds what replaced it.
        this.log(`shard ${shard.shardId}: gone (${describeError(error)}); moving on`);
        shard.status = 'finished';
        shard.batches = [];
        this.requestRefresh();
        this.startEligibleShards();
        this.notifyDrainWaiters();
        return;
      case 'ValidationException':
        shard.iterator = undefined;
        break;
    }
    shard.consecutivePollErrors += 1;
    const delay = Math.min(5_000, 250 * 2 ** (shard.consecutivePollErrors - 1));
    this.log(`shard ${shard.shardId}: poll failed (${describeError(error)}); trying again in ${delay} ms`);
    await this.sleep(delay, 'backoff');
  }

  private async finishShard(shard: ShardState): Promise<void> {
    shard.status = 'finished';
    await this.checkpoints.set(shard.shardId, { finished: true });
    this.log(`shard ${shard.shardId} read to its end`);
    this.startEligibleShards();
    this.requestRefresh();
    this.notifyDrainWaiters();
  }

  // --- delivering a batch -------------------------------------------------------------------------------

  private async handleNextBatch(shard: ShardState): Promise<void> {
    const batch = shard.batches[0]!;
    if (await this.giveUpOnExpired(shard, batch)) return;
    const { records } = batch;
    for (const record of records) {
      const sequenceNumber = sequenceNumberOf(record);
      shard.deliveries.set(sequenceNumber, (shard.deliveries.get(sequenceNumber) ?? 0) + 1);
    }
    this.counters.batches += 1;
    const outcome = await this.invoke(records);

    if (outcome.kind === 'success') {
      await this.completeRecords(shard, records, 'delivered');
      shard.batches.shift();
      shard.consecutiveFailures = 0;
      return;
    }
    if (outcome.kind === 'partial') {
      if (outcome.failedIndex > 0) {
        await this.completeRecords(shard, records.slice(0, outcome.failedIndex), 'delivered');
        batch.records = records.slice(outcome.failedIndex);
        batch.failures = 1;
      } else {
        batch.failures += 1;
      }
      await this.retryOrGiveUp(shard, batch, outcome.error);
      return;
    }
    if (this.bisect && records.length > 1) {
      const half = Math.ceil(records.length / 2);
      shard.batches.splice(0, 1, { records: records.slice(0, half), failures: batch.failures }, { records: records.slice(half), failures: batch.failures });
      this.counters.bisections += 1;
      this.log(`shard ${shard.shardId}: batch of ${records.length} failed (${outcome.error}); retrying it in halves of ${half} and ${records.length - half}`);
      await this.backOff(shard);
      return;
    }
    batch.failures += 1;
    await this.retryOrGiveUp(shard, batch, outcome.error);
  }

  private async invoke(records: DynamoDBRecord[]): Promise<BatchOutcome> {
    // A fresh copy each time: a handler that changes its event must not change what a retry delivers.
    const event: DynamoDBStreamEvent = { Records: structuredClone(records) };
    const context = lambdaContext(this.options.functionName, this.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerTimeout(`handler timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const response: unknown = await Promise.race([Promise.resolve().then(() => this.options.handler(event, context)), deadline]);
      return interpretBatchResponse(response, records);
    } catch (error) {
      // Lambda would stop a timed-out invocation; here it runs on, and its late answer is ignored.
      return { kind: 'failure', error: describeError(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async retryOrGiveUp(shard: ShardState, batch: PendingBatch, error: string): Promise<void> {
    if (batch.failures <= this.maximumRetryAttempts) {
      this.counters.retries += 1;
      this.log(`shard ${shard.shardId}: ${batch.records.length} record(s) from ${sequenceNumberOf(batch.records[0]!)} failed (${error}); retry ${batch.failures} of ${this.maximumRetryAttempts}`);
      await this.backOff(shard);
      return;
    }
    try {
      await this.deadLetter(shard, batch, error);
    } catch (writeError) {
      // Moving on without the dead-letter line would lose the records: keep them and try again.
      this.log(`shard ${shard.shardId}: could not write the dead-letter file (${describeError(writeError)}); keeping the batch`);
      await this.backOff(shard);
      return;
    }
    await this.completeRecords(shard, batch.records, 'deadLettered');
    shard.batches.shift();
    shard.consecutiveFailures = 0;
  }

  /**
   * Lambda's maximum record age: the records at the front of the batch written longer ago than the limit
   * go to the dead-letter file (`RecordAgeExceeded`) before the handler sees them, first try or retry.
   * Records of a shard are in order, so the expired ones are a prefix. True when none are left to deliver.
   */
  private async giveUpOnExpired(shard: ShardState, batch: PendingBatch): Promise<boolean> {
    if (this.maximumRecordAgeMs === undefined) return false;
    const now = this.now();
    const firstFresh = batch.records.findIndex((record) => {
      const created = record.dynamodb?.ApproximateCreationDateTime;
      return created === undefined || now - created * 1000 <= this.maximumRecordAgeMs!;
    });
    const count = firstFresh === -1 ? batch.records.length : firstFresh;
    if (count === 0) return false;
    const records = batch.records.slice(0, count);
    try {
      await this.deadLetter(shard, { records, failures: batch.failures }, `record age over ${this.maximumRecordAgeMs / 1000} s`, 'RecordAgeExceeded');
    } catch (writeError) {
      this.log(`shard ${shard.shardId}: could not write the dead-letter file (${describeError(writeError)}); keeping the batch`);
      await this.backOff(shard);
      return true;
    }
    await this.completeRecords(shard, records, 'deadLettered');
    batch.records = batch.records.slice(count);
    if (batch.records.length > 0) return false;
    shard.batches.shift();
    shard.consecutiveFailures = 0;
    return true;
  }

  private async deadLetter(shard: ShardState, batch: PendingBatch, error: string, condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded' = 'RetryAttemptsExhausted'): Promise<void> {
    const { records } = batch;
    const startSequenceNumber = sequenceNumberOf(records[0]!);
    const endSequenceNumber = sequenceNumberOf(records.at(-1)!);
    const line = {
      failedAt: new Date().toISOString(),
      functionName: this.options.functionName,
      condition,
      streamArn: shard.streamArn,
      shardId: shard.shardId,
      startSequenceNumber,
      endSequenceNumber,
      batchSize: records.length,
      attempts: shard.deliveries.get(startSequenceNumber) ?? batch.failures,
      lastError: error,
      records,
    };
    await mkdir(dirname(this.options.deadLetterFile), { recursive: true });
    await appendFile(this.options.deadLetterFile, `${JSON.stringify(line)}\n`);
    this.log(
      `shard ${shard.shardId}: gave up on ${records.length} record(s) ${startSequenceNumber}..${endSequenceNumber} after ${line.attempts} attempt(s) (${error}); written to ${this.options.deadLetterFile}`,
    );
  }

  /** Records handled one way or the other: count them and move the checkpoint past them. */
  private async completeRecords(shard: ShardState, records: DynamoDBRecord[], outcome: 'delivered' | 'deadLettered'): Promise<void> {
    if (records.length === 0) return;
    for (const record of records) shard.deliveries.delete(sequenceNumberOf(record));
    this.counters[outcome] += records.length;
    await this.checkpoints.set(shard.shardId, { sequenceNumber: sequenceNumberOf(records.at(-1)!) });
    this.notifyDrainWaiters();
  }

  private async backOff(shard: ShardState): Promise<void> {
    shard.consecutiveFailures += 1;
    await this.sleep(Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** (shard.consecutiveFailures - 1)), 'backoff');
  }

  // --- waiting --------------------------------------------------------------------------------------------

  private sleep(ms: number, kind: SleepKind): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        kind,
        wake: () => {
          clearTimeout(timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      const timer = setTimeout(sleeper.wake, ms);
      this.sleepers.add(sleeper);
    });
  }

  private wake(...kinds: SleepKind[]): void {
    for (const sleeper of [...this.sleepers]) if (kinds.includes(sleeper.kind)) sleeper.wake();
  }

  private notifyDrainWaiters(): void {
    for (const check of [...this.drainWaiters]) check();
  }

  /**
   * Everything written before `ticket` is handled when the shard list has been read since, and every
   * shard of the stream is either finished or has since found nothing new with nothing left pending
   * (DynamoDB Local makes a record readable as soon as the write returns).
   */
  private caughtUpSince(ticket: number): boolean {
    if (this.lastRefreshTicket <= ticket) return false;
    for (const shard of this.shards.values()) {
      if (shard.streamArn !== this.streamArn || shard.status === 'finished') continue;
      if (shard.status === 'waiting' || shard.batches.length > 0 || shard.caughtUpTicket <= ticket) return false;
    }
    return true;
  }

  private describeBacklog(ticket: number): string {
    if (this.lastRefreshTicket <= ticket) return 'the shard list could not be read';
    const behind = [...this.shards.values()]
      .filter((shard) => shard.streamArn === this.streamArn && shard.status !== 'finished')
      .filter((shard) => shard.status === 'waiting' || shard.batches.length > 0 || shard.caughtUpTicket <= ticket)
      .map((shard) =>
        shard.status === 'waiting'
          ? `${shard.shardId} waiting for its parent`
          : `${shard.shardId} with ${shard.batches.reduce((sum, batch) => sum + batch.records.length, 0)} record(s) pending`,
      );
    return behind.join('; ') || 'no shard behind';
  }
}
