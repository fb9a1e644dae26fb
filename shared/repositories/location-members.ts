import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { AuditChange } from '#shared/model/people/audit';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { auditPut } from '#shared/repositories/audit';
import type { Membership } from '#shared/repositories/memberships';
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { isTransactionCancelled } from '#shared/repositories/transactions';

/**
 * A location's members change only here, each change one transaction with the counts its directory item
 * keeps (`members`, `managers`) and its audit entry: so the last manager can never be removed or demoted
 * (the count's condition fails), and the unreachable report can tell a location no one can update.
 */
export type MemberChange =
  | { kind: 'add'; membership: Membership & { manager: boolean } }
  | { kind: 'setManager'; before: Membership; manager: boolean }
  | { kind: 'remove'; before: Membership };

const TABLES = () => ({ memberships: tableName('memberships'), locations: tableName('locations') });
const wasManager = (membership: Membership) => membership.manager === true;

/** The membership part, then the location's counts. */
export function memberChangeRequest(change: MemberChange, audit: AuditChange, at: Date, tables = TABLES()): TransactWriteCommandInput {
  const counts = (members: number, managers: number) => {
    const Key = keys.location(change.kind === 'add' ? change.membership.locationId : change.before.locationId);
    // A change that moves no count (a member's flag set to what it was) still checks the location exists.
    if (members === 0 && managers === 0) return { ConditionCheck: { TableName: tables.locations, Key, ConditionExpression: 'attribute_exists(locationId)' } };
    const adds = [...(members ? ['members :members'] : []), ...(managers ? ['managers :managers'] : [])];
    const values: Record<string, number> = { ...(members ? { ':members': members } : {}), ...(managers ? { ':managers': managers } : {}) };
    // Losing a manager needs another one left; the location must exist either way.
    const condition = managers < 0 ? 'attribute_exists(locationId) AND managers > :one' : 'attribute_exists(locationId)';
    return {
      Update: {
        TableName: tables.locations,
        Key,
        UpdateExpression: `ADD ${adds.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeValues: { ...values, ...(managers < 0 ? { ':one': 1 } : {}) },
      },
    };
  };
  const sameManagerFlag = (membership: Membership) =>
    wasManager(membership)
      ? { ConditionExpression: 'manager = :was', ExpressionAttributeValues: { ':was': true } }
      : { ConditionExpression: 'attribute_exists(userId) AND (attribute_not_exists(manager) OR manager = :was)', ExpressionAttributeValues: { ':was': false } };
  let parts: NonNullable<TransactWriteCommandInput['TransactItems']>;
  if (change.kind === 'add') {
    parts = [
      { Put: { TableName: tables.memberships, Item: { ...change.membership, ...keys.membership(change.membership.userId, change.membership.locationId) }, ConditionExpression: 'attribute_not_exists(userId)' } },
      counts(1, change.membership.manager ? 1 : 0),
    ];
  } else if (change.kind === 'setManager') {
    const { before, manager } = change;
    const guard = sameManagerFlag(before);
    parts = [
      {
        Update: {
          TableName: tables.memberships,
          Key: keys.membership(before.userId, before.locationId),
          UpdateExpression: 'SET manager = :manager',
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeValues: { ...guard.ExpressionAttributeValues, ':manager': manager },
        },
      },
      counts(0, manager === wasManager(before) ? 0 : manager ? 1 : -1),
    ];
  } else {
    const guard = sameManagerFlag(change.before);
    parts = [
      { Delete: { TableName: tables.memberships, Key: keys.membership(change.before.userId, change.before.locationId), ...guard } },
      counts(-1, wasManager(change.before) ? -1 : 0),
    ];
  }
  return { TransactItems: [...parts, auditPut(audit, at)] };
}

export type MemberChangeFailure = 'changedMeanwhile' | 'lastManager' | 'noLocation';

/** Apply a change; what stopped it, if a condition did. */
export async function applyMemberChange(change: MemberChange, audit: AuditChange, at: Date): Promise<MemberChangeFailure | undefined> {
  try {
    await dynamo.send(new TransactWriteCommand(memberChangeRequest(change, audit, at)));
    return undefined;
  } catch (error) {
    if (!isTransactionCancelled(error)) throw error;
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    if (reasons[1]?.Code === 'ConditionalCheckFailed') return change.kind === 'add' || !wasManager(change.before) ? 'noLocation' : 'lastManager';
    return 'changedMeanwhile';
  }
}
