import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '#shared/repositories/batch-write';
import { ENGLAND } from '#shared/model/schemas/common';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

const TABLES = { get locations() { return tableName('locations'); }, get sends() { return tableName('reminderSends'); }, get contacts() { return tableName('contacts'); } };

/** Sends are kept this long for audit, then DynamoDB's TTL removes them. */
const AUDIT_DAYS = 730;

export interface StaleLocation {
  locationId: string;
  name: string;
  providerId: string;
  localAuthority: string;
  region: string;
  contactEmail?: string;
  /** When it last reported, or '0' if never: also the name of its current stale spell. */
  freshness: string;
}

/**
 * Named access pattern "active locations that last reported before T": the old end of the sparse
 * activeByCountry index. It reads the stale locations and nothing else, so a run costs what is stale.
 */
export function staleLocationsRequest(before: string, startKey?: Record<string, unknown>, table = TABLES.locations): QueryCommandInput {
  return {
    TableName: table,
    IndexName: 'activeByCountry',
    KeyConditionExpression: 'activeCountry = :england AND freshness < :before',
    ExpressionAttributeValues: { ':england': ENGLAND, ':before': before },
    ReturnConsumedCapacity: 'TOTAL',
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function staleLocations(before: string): Promise<{ locations: StaleLocation[]; itemsRead: number; capacityUnits: number }> {
  const locations: StaleLocation[] = [];
  let itemsRead = 0;
  let capacityUnits = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand(staleLocationsRequest(before, startKey)));
    itemsRead += page.ScannedCount ?? 0;
    capacityUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const item of page.Items ?? []) locations.push(item as StaleLocation);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { locations, itemsRead, capacityUnits };
}

export type SendKey = { subject: string; sendKey: string };

/**
 * Claim the right to send one email: succeeds for exactly one run, however many overlap. Claiming
 * before sending makes a crash between sending and recording cost a missed email, never a second one.
 */
export async function claimSend(key: SendKey, details: Record<string, unknown>, now: Date): Promise<boolean> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: TABLES.sends,
        Item: { ...key, ...details, status: 'claimed', claimedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_DAYS * 86_400 },
        ConditionExpression: 'attribute_not_exists(subject)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

export async function markSent(key: SendKey, sent: { messageId: string; to: string[]; sentAt: string }): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: TABLES.sends,
      Key: key,
      UpdateExpression: 'SET #status = :sent, messageId = :messageId, #to = :to, sentAt = :sentAt',
      ExpressionAttributeNames: { '#status': 'status', '#to': 'to' },
      ExpressionAttributeValues: { ':sent': 'sent', ':messageId': sent.messageId, ':to': sent.to, ':sentAt': sent.sentAt },
    }),
  );
}

/** SES refused the email, so nothing went: give the claim back for the next run. */
export async function releaseClaim(key: SendKey): Promise<void> {
  await dynamo.send(new DeleteCommand({ TableName: TABLES.sends, Key: key, ConditionExpression: '#status = :claimed', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':claimed': 'claimed' } }));
}

export interface Contact {
  scope: string;
  contactId: string;
  kind: 'provider' | 'commissioner';
  email: string;
  name?: string;
}

export async function contactsOf(scope: string): Promise<Contact[]> {
  const { Items } = await dynamo.send(new QueryCommand({ TableName: TABLES.contacts, KeyConditionExpression: '#scope = :scope', ExpressionAttributeNames: { '#scope': 'scope' }, ExpressionAttributeValues: { ':scope': scope } }));
  return (Items ?? []) as Contact[];
}

/** Every commissioner digest recipient (a few hundred at most), through the byKind index. */
export async function commissionerContacts(): Promise<Contact[]> {
  const found: Contact[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({ TableName: TABLES.contacts, IndexName: 'byKind', KeyConditionExpression: 'kind = :kind', ExpressionAttributeValues: { ':kind': 'commissioner' }, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    found.push(...((page.Items ?? []) as Contact[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

export async function putContacts(contacts: readonly Contact[]): Promise<void> {
  await batchPut(TABLES.contacts, contacts.map((contact) => ({ ...contact })));
}
