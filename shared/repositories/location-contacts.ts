import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetKeys } from '#shared/repositories/batch-get';
import type { AuditChange } from '#shared/model/people/audit';
import { keys } from '#shared/model/keys';
import { ENGLAND } from '#shared/model/schemas/common';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { auditPut } from '#shared/repositories/audit';
import { isConditionFailed, isTransactionCancelled } from '#shared/repositories/transactions';

/** Where a location's reminders go (1–5 addresses) and a phone number for it. */
export interface LocationContactItem {
  reminderEmails: string[];
  phone?: string;
}

export async function getLocationContact(locationId: string): Promise<LocationContactItem | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('contacts'), Key: keys.locationContact(locationId) }));
  return Item ? { reminderEmails: (Item.emails as string[]) ?? [], ...(Item.phone ? { phone: String(Item.phone) } : {}) } : undefined;
}

/** Several locations' reminder addresses (any number; 100 keys a request): those that have some. */
export async function reminderAddresses(locationIds: readonly string[]): Promise<Map<string, string[]>> {
  const items = await batchGetKeys(tableName('contacts'), locationIds.map((id) => keys.locationContact(id)));
  return new Map(items.map((item) => [String(item.scope).replace(/^location#/, ''), (item.emails as string[]) ?? []]));
}

/** Set a location's reminder addresses (and phone), with its audit entry. */
export async function putLocationContact(locationId: string, contact: LocationContactItem, audit: AuditChange, at: Date): Promise<void> {
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName('contacts'), Item: { ...keys.locationContact(locationId), kind: 'location', emails: contact.reminderEmails, ...(contact.phone ? { phone: contact.phone } : {}) } } },
        auditPut(audit, at),
      ],
    }),
  );
}

export async function getProviderContact(providerId: string): Promise<string | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('contacts'), Key: keys.providerNominated(providerId) }));
  return typeof Item?.email === 'string' ? Item.email : undefined;
}

/** Set a provider's nominated contact (escalations and digests go there), with its audit entry. */
export async function putProviderContact(providerId: string, email: string, audit: AuditChange, at: Date): Promise<void> {
  await dynamo.send(
    new TransactWriteCommand({
      TransactItems: [{ Put: { TableName: tableName('contacts'), Item: { ...keys.providerNominated(providerId), kind: 'provider', email } } }, auditPut(audit, at)],
    }),
  );
}

export interface PauseItem {
  reason: string;
  since: string;
  until?: string;
  by: string;
}

/**
 * Pause a location: it leaves the sparse active indexes (no reminders, not expected in completeness)
 * and, with an end date, enters the paused index the reminder job resumes it from. False if it is not an
 * active location (or already paused).
 */
export async function pauseLocation(locationId: string, pause: PauseItem, audit: AuditChange, at: Date): Promise<'paused' | 'notActive' | 'alreadyPaused'> {
  try {
    await dynamo.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName('locations'),
              Key: keys.location(locationId),
              UpdateExpression: `SET pause = :pause${pause.until ? ', pausedCountry = :england, pausedUntil = :until' : ''} REMOVE activeLocalAuthority, activeRegion, activeCountry`,
              ConditionExpression: 'active = :true AND attribute_not_exists(pause)',
              ExpressionAttributeValues: { ':pause': pause, ':true': true, ...(pause.until ? { ':england': ENGLAND, ':until': pause.until } : {}) },
            },
          },
          auditPut(audit, at),
        ],
      }),
    );
    return 'paused';
  } catch (error) {
    if (!isTransactionCancelled(error)) throw error;
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName('locations'), Key: keys.location(locationId), ConsistentRead: true }));
    return Item?.pause ? 'alreadyPaused' : 'notActive';
  }
}

/** Resume a paused location: back in the active indexes (from its own area attributes). False if it was not paused. */
export async function resumeLocation(locationId: string, audit: AuditChange | undefined, at: Date): Promise<boolean> {
  const update = {
    TableName: tableName('locations'),
    Key: keys.location(locationId),
    UpdateExpression: 'SET activeLocalAuthority = localAuthority, activeRegion = #region, activeCountry = :england REMOVE pause, pausedCountry, pausedUntil',
    ConditionExpression: 'attribute_exists(pause) AND active = :true',
    ExpressionAttributeNames: { '#region': 'region' },
    ExpressionAttributeValues: { ':england': ENGLAND, ':true': true },
  };
  try {
    if (audit) await dynamo.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, auditPut(audit, at)] }));
    else await dynamo.send(new UpdateCommand(update));
    return true;
  } catch (error) {
    if (isTransactionCancelled(error) || isConditionFailed(error)) return false;
    throw error;
  }
}

/** Named access pattern "paused locations due to resume by a day" (the sparse pausedByCountry index). */
export async function pausesEndingBy(day: string): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: tableName('locations'),
        IndexName: 'pausedByCountry',
        KeyConditionExpression: 'pausedCountry = :england AND pausedUntil <= :day',
        ExpressionAttributeValues: { ':england': ENGLAND, ':day': day },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    ids.push(...(page.Items ?? []).map((item) => String(item.locationId)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}
