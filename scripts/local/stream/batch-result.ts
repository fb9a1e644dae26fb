import type { DynamoDBRecord } from 'aws-lambda';
import { sequenceNumberOf } from './records';

export type BatchOutcome =
  | { kind: 'success' }
  /** Records before `failedIndex` are done; that record and every one after it are to be retried. */
  | { kind: 'partial'; failedIndex: number; error: string }
  | { kind: 'failure'; error: string };

/**
 * A handler's answer read the way Lambda reads it with ReportBatchItemFailures on: no answer, `{}`, or a
 * null or empty `batchItemFailures` is success; the lowest reported sequence number is the new
 * checkpoint; an entry whose itemIdentifier is missing, empty or not in the batch fails the whole batch.
 */
export function interpretBatchResponse(response: unknown, records: readonly DynamoDBRecord[]): BatchOutcome {
  if (response === undefined || response === null) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'failure', error: `handler returned ${JSON.stringify(response)}, not a batch response` };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', error: 'batchItemFailures is not an array' };
  if (failures.length === 0) return { kind: 'success' };

  const indexBySequence = new Map(records.map((record, index) => [sequenceNumberOf(record), index]));
  let failedIndex = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const identifier: unknown = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '') {
      return { kind: 'failure', error: `batchItemFailures entry without an itemIdentifier: ${JSON.stringify(failure)}` };
    }
    const index = indexBySequence.get(identifier);
    if (index === undefined) return { kind: 'failure', error: `batchItemFailures names ${identifier}, which is not in the batch` };
    failedIndex = Math.min(failedIndex, index);
  }
  const failedSequence = sequenceNumberOf(records[failedIndex]!);
  return { kind: 'partial', failedIndex, error: `handler reported ${failures.length} failed item(s), first ${failedSequence}` };
}
