import { randomUUID } from 'node:crypto';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { auditItem, type AuditChange } from '#shared/model/people/audit';
import { keys } from '#shared/model/keys';
import { tableName } from '#shared/runtime/settings';
import { decodePageToken, encodePageToken, invalidPageToken } from '#shared/repositories/pagination';
import { queryPage } from '#shared/repositories/paged-query';

const TABLE = () => tableName('audit');

/** The audit entry of a change, as a part of the change's own transaction (written with it, or not at all). */
export function auditPut(change: AuditChange, at: Date): { Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string } } {
  return { Put: { TableName: TABLE(), Item: auditItem(change, at, randomUUID()), ConditionExpression: 'attribute_not_exists(subject)' } };
}

export interface AuditSearch {
  from: string;
  to: string;
  actor?: string;
  subject?: string;
  limit: number;
  nextToken?: string;
}

/**
 * Named access patterns "a subject's changes", "an actor's changes" and "a month's changes", newest
 * first, between two days. Without a subject or actor, one month at a time: the page token carries the
 * month it stopped in.
 */
export function auditSearchRequest(search: AuditSearch, month?: string, table = TABLE()): QueryCommandInput {
  const range = { ':from': `${search.from}T00:00:00`, ':to': `${search.to}T23:59:59.999Z~` };
  const base = { TableName: table, ScanIndexForward: false, Limit: search.limit };
  if (search.subject) {
    return { ...base, KeyConditionExpression: 'subject = :subject AND auditKey BETWEEN :from AND :to', ExpressionAttributeValues: { ':subject': search.subject, ...range } };
  }
  if (search.actor) {
    return { ...base, IndexName: 'byActor', KeyConditionExpression: 'actor = :actor AND auditKey BETWEEN :from AND :to', ExpressionAttributeValues: { ':actor': search.actor, ...range } };
  }
  return { ...base, IndexName: 'byMonth', KeyConditionExpression: '#month = :month AND auditKey BETWEEN :from AND :to', ExpressionAttributeNames: { '#month': 'month' }, ExpressionAttributeValues: { ':month': month ?? keys.auditMonth(search.to), ...range } };
}

/** The months from `to` back to `from` (YYYY-MM), newest first. */
function monthsBack(from: string, to: string): string[] {
  const months: string[] = [];
  const cursor = new Date(`${to.slice(0, 7)}-01T00:00:00Z`);
  while (cursor.toISOString().slice(0, 7) >= from.slice(0, 7)) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() - 1);
  }
  return months;
}

export async function searchAudit(search: AuditSearch): Promise<{ items: Array<Record<string, unknown>>; nextToken: string | null }> {
  const byMonth = !search.subject && !search.actor;
  const token = search.nextToken ? decodeToken(search.nextToken, byMonth) : undefined;
  const months = byMonth ? monthsBack(search.from, search.to).filter((month) => !token?.month || month <= token.month) : [undefined];
  const items: Array<Record<string, unknown>> = [];
  for (const [index, month] of months.entries()) {
    const request = auditSearchRequest({ ...search, limit: search.limit - items.length }, month);
    const startKey = index === 0 ? token?.key : undefined;
    const page = await queryPage({ ...request, ...(startKey ? { ExclusiveStartKey: startKey } : {}) });
    items.push(...(page.Items ?? []));
    if (page.LastEvaluatedKey) return { items, nextToken: encodeToken(page.LastEvaluatedKey, month) };
    if (items.length >= search.limit) {
      const next = months[index + 1];
      return { items, nextToken: next ? encodeToken(undefined, next) : null };
    }
  }
  return { items, nextToken: null };
}

const KEY_ATTRIBUTES = { subject: ['subject', 'auditKey'], actor: ['subject', 'auditKey', 'actor'], month: ['subject', 'auditKey', 'month'] };

function encodeToken(key: Record<string, unknown> | undefined, month: string | undefined): string {
  return Buffer.from(JSON.stringify({ key: key ? encodePageToken(key) : null, month: month ?? null }), 'utf8').toString('base64url');
}

function decodeToken(token: string, byMonth: boolean): { key?: Record<string, string | number>; month?: string } {
  let parsed: { key?: unknown; month?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { key?: unknown; month?: unknown };
  } catch {
    throw invalidPageToken();
  }
  const month = typeof parsed.month === 'string' && /^\d{4}-\d{2}$/.test(parsed.month) ? parsed.month : undefined;
  const key = typeof parsed.key === 'string' ? decodeKey(parsed.key, byMonth) : undefined;
  if (parsed.key !== null && key === undefined) throw invalidPageToken();
  return { ...(key ? { key } : {}), ...(month ? { month } : {}) };
}

function decodeKey(token: string, byMonth: boolean): Record<string, string | number> | undefined {
  for (const attributes of byMonth ? [KEY_ATTRIBUTES.month] : [KEY_ATTRIBUTES.subject, KEY_ATTRIBUTES.actor]) {
    try {
      return decodePageToken(token, attributes);
    } catch {
      // try the next shape
    }
  }
  return undefined;
}
