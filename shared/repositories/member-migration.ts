/**
 * What the members migration (`npm run migrate:members`) reads and writes beyond a location's members:
 * which locations have memberships at all (a scan of the memberships table), which keep counts (a scan
 * of the locations table), the counts a location keeps as they are now, and the write that sets them to
 * the exact numbers, with a manager made where there is none, on condition nothing changed since the read.
 *
 * The scans are for this script only, run with an operator's credentials: no function scans (DESIGN §9).
 */
import { GetCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type ScanCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { AuditChange } from '#shared/model/people/audit';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { memberChangeRequest } from '#shared/repositories/location-members';
import type { Membership } from '#shared/repositories/memberships';
import { isConditionFailed, lostToAnotherWriter } from '#shared/repositories/transactions';

type StartKey = Record<string, unknown>;

/** Named access pattern "the location of every membership", a page at a time (consistent: the migration acts on what it reads). */
export function membershipLocationsRequest(startKey?: StartKey, table = tableName('memberships')): ScanCommandInput {
  return { TableName: table, ProjectionExpression: 'locationId', ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) };
}

export async function membershipLocationsPage(startKey?: StartKey): Promise<{ locationIds: string[]; startKey: StartKey | undefined }> {
  const page = await dynamo.send(new ScanCommand(membershipLocationsRequest(startKey)));
  return { locationIds: (page.Items ?? []).map((item) => String(item.locationId)), startKey: page.LastEvaluatedKey };
}

/**
 * Named access pattern "every location keeping a member or manager count other than zero", a page at a
 * time: a location whose last members were removed while its counts were wrong (a legacy member removed
 * takes one from a count that never counted it) has no membership left to find it by.
 */
export function locationsWithCountsRequest(startKey?: StartKey, table = tableName('locations')): ScanCommandInput {
  return {
    TableName: table,
    ProjectionExpression: 'locationId',
    FilterExpression: '(attribute_exists(members) AND members <> :zero) OR (attribute_exists(managers) AND managers <> :zero)',
    ExpressionAttributeValues: { ':zero': 0 },
    ConsistentRead: true,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function locationsWithCountsPage(startKey?: StartKey): Promise<{ locationIds: string[]; startKey: StartKey | undefined }> {
  const page = await dynamo.send(new ScanCommand(locationsWithCountsRequest(startKey)));
  return { locationIds: (page.Items ?? []).map((item) => String(item.locationId)), startKey: page.LastEvaluatedKey };
}

/** The counts a location keeps, as stored: undefined where the attribute is absent (written before there were counts). */
export interface StoredCounts {
  members: number | undefined;
  managers: number | undefined;
}

/** A location's counts, strongly consistent; undefined when the directory has no such location. */
export async function storedCounts(locationId: string): Promise<StoredCounts | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ProjectionExpression: 'locationId, members, managers', ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const count = (value: unknown) => (typeof value === 'number' ? value : undefined);
  return { members: count(Item.members), managers: count(Item.managers) };
}

/** An update that is both a request of its own and a part of a transaction. */
interface CountsUpdate {
  TableName: string;
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeValues: Record<string, number>;
}

/** Set the counts to the exact numbers if they are still what was read (absent, or equal): else another change came first. */
export function exactCountsRequest(locationId: string, read: StoredCounts, exact: { members: number; managers: number }, table = tableName('locations')): CountsUpdate {
  const unchanged = (name: 'members' | 'managers') => (read[name] === undefined ? `attribute_not_exists(${name})` : `${name} = :read_${name}`);
  return {
    TableName: table,
    Key: keys.location(locationId),
    UpdateExpression: 'SET members = :members, managers = :managers',
    ConditionExpression: `attribute_exists(locationId) AND ${unchanged('members')} AND ${unchanged('managers')}`,
    ExpressionAttributeValues: {
      ':members': exact.members,
      ':managers': exact.managers,
      ...(read.members === undefined ? {} : { ':read_members': read.members }),
      ...(read.managers === undefined ? {} : { ':read_managers': read.managers }),
    },
  };
}

/** A member to make a manager with the counts: the membership as read, and the audit entry of the change. */
export interface ManagerToMake {
  before: Membership;
  audit: AuditChange;
  at: Date;
}

/**
 * The exact counts, and the manager made if one is given, in one transaction with its audit entry:
 * the membership part is the member routes' own (`memberChangeRequest`: the member is still there, not
 * a manager yet), the location's part sets the counts instead of adding to them.
 */
export function exactCountsWithManagerRequest(locationId: string, read: StoredCounts, exact: { members: number; managers: number }, manager: ManagerToMake): TransactWriteCommandInput {
  const [membershipPart, , auditPart] = memberChangeRequest({ kind: 'setManager', before: manager.before, manager: true }, manager.audit, manager.at).TransactItems ?? [];
  if (!membershipPart || !auditPart) throw new Error('memberChangeRequest no longer gives the membership part, the counts, then the audit entry');
  return { TransactItems: [membershipPart, { Update: exactCountsRequest(locationId, read, exact) }, auditPart] };
}

/** Write the exact counts (and the manager): false when a member change came between the read and this write. */
export async function writeExactCounts(locationId: string, read: StoredCounts, exact: { members: number; managers: number }, manager?: ManagerToMake): Promise<boolean> {
  try {
    if (manager) await dynamo.send(new TransactWriteCommand(exactCountsWithManagerRequest(locationId, read, exact, manager)));
    else await dynamo.send(new UpdateCommand(exactCountsRequest(locationId, read, exact)));
    return true;
  } catch (error) {
    if (isConditionFailed(error) || lostToAnotherWriter(error)) return false;
    throw error;
  }
}
