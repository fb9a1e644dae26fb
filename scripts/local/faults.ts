import { writeSync } from 'node:fs';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

/** The line a crashing process writes to stderr just before it dies, for whoever restarts it. */
export const CRASH_LINE_PREFIX = 'LOCAL_FAULTS crash ';

export interface CrashReport {
  /** Records of the batch handed to the aggregator (and applied) before the crash. */
  applied: number;
  batchSize: number;
  firstSequenceNumber: string;
  lastAppliedSequenceNumber: string;
}

/**
 * `LOCAL_FAULTS=crash:<n>` (scripts/local/fault-rules.ts): the process dies the way a crashed container does,
 * part-way through the batch in which its n-th record (counted from when it started) arrives. The
 * aggregator is handed that batch's records up to and including the n-th and applies them; then this
 * whole process is killed (SIGKILL: no clean-up, no answer to the poller, so no checkpoint past the
 * batch). Whoever restarts the process gets the batch again from the last checkpoint, records already
 * applied included.
 */
export function crashPartWayThrough(handler: StreamHandler, afterRecords: number): StreamHandler {
  let seen = 0;
  return async (event, context) => {
    const records = event.Records;
    if (seen + records.length < afterRecords) {
      const response = await handler(event, context);
      // Only records handled count: a retried batch is the same records again.
      const failed = response?.batchItemFailures?.length ? records.findIndex((record) => response.batchItemFailures.some((failure) => failure.itemIdentifier === record.dynamodb?.SequenceNumber)) : -1;
      seen += failed < 0 ? records.length : failed;
      return response;
    }
    const applied = afterRecords - seen;
    await handler({ Records: records.slice(0, applied) }, context);
    const report: CrashReport = {
      applied,
      batchSize: records.length,
      firstSequenceNumber: records[0]!.dynamodb!.SequenceNumber!,
      lastAppliedSequenceNumber: records[applied - 1]!.dynamodb!.SequenceNumber!,
    };
    writeSync(2, `${CRASH_LINE_PREFIX}${JSON.stringify(report)}\n`);
    process.kill(process.pid, 'SIGKILL');
    // Not reached: the signal cannot be caught.
    return new Promise<never>(() => undefined);
  };
}
