import { readFileSync, existsSync } from 'node:fs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { aggregatorFunction } from '#shared/model/functions';
import { lambdaContext } from '../local/lambda-context';
import { loadHandler } from '../local/lambda-runtime';
import { sleep } from './provider';

export interface RedriveReport {
  batches: number;
  records: number;
  /** Records still failing after every attempt (0 = all applied, or found already applied). */
  failed: number;
}

/** The dead-letter lines after the first `skip` (those written before this run). */
export function deadLettersSince(file: string, skip: number): Array<{ records: DynamoDBRecord[] }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(skip)
    .map((line) => JSON.parse(line) as { records: DynamoDBRecord[] });
}

/**
 * What an operator does with the on-failure destination after an outage: hand each dead-lettered
 * batch's records to the aggregator again (in AWS: read them back from the stream by the sequence
 * numbers the SQS message names, within its 24 h retention). Safe in any order and any number of times:
 * the ledger's version guard skips what is already applied, and an older version than the one counted.
 */
export async function redriveDeadLetters(batches: Array<{ records: DynamoDBRecord[] }>): Promise<RedriveReport> {
  const handler = (await loadHandler(aggregatorFunction.handler)) as (event: DynamoDBStreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<DynamoDBBatchResponse | void>;
  let failed = 0;
  let records = 0;
  for (const batch of batches) {
    records += batch.records.length;
    let pending = batch.records;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      let response: DynamoDBBatchResponse | void;
      try {
        response = await handler({ Records: pending }, lambdaContext(aggregatorFunction.id, 60_000));
      } catch {
        response = { batchItemFailures: pending.map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! })) };
      }
      const failures = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      const firstFailed = pending.findIndex((record) => failures.has(record.dynamodb!.SequenceNumber!));
      if (firstFailed < 0) break;
      if (attempt >= 10) {
        failed += pending.length - firstFailed;
        break;
      }
      pending = pending.slice(firstFailed);
      await sleep(200 * attempt);
    }
  }
  return { batches: batches.length, records, failed };
}
