import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * What a cancelled TransactWriteItems says, so services can decide without knowing the SDK's errors:
 * whether another writer got there first, and which of the parts (by position) failed its condition.
 */
export function isTransactionCancelled(error: unknown): boolean {
  return error instanceof TransactionCanceledException;
}

/** Lost to another writer: a condition no longer held, or a transaction on the same item was in flight. */
export function lostToAnotherWriter(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict')
  );
}

export function conditionFailedAt(error: unknown, part: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[part]?.Code === 'ConditionalCheckFailed';
}

export function isConditionFailed(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
}
