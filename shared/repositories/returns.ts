import {
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { StoredReturn } from '#shared/model/schemas/return';
import { toStoredReturn } from '#shared/model/returns/return-item';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { decodePageToken, encodePageToken, invalidPageToken, requireStartKeyWithin } from '#shared/repositories/pagination';
import { queryPage } from '#shared/repositories/paged-query';

const TABLES = { get returns() { return tableName('returns'); } };

/** Named access pattern "the latest return on or before a day" (or strictly before, for the previous one). */
export function latestReturnRequest(locationId: string, options: { onOrBefore?: string; before?: string } = {}, table = TABLES.returns): QueryCommandInput {
  const bound = options.before ?? options.onOrBefore;
  return {
    TableName: table,
    KeyConditionExpression: bound
      ? `locationId = :id AND reportDate ${options.before ? '<' : '<='} :bound`
      : 'locationId = :id',
    ExpressionAttributeValues: { ':id': locationId, ...(bound ? { ':bound': bound } : {}) },
    ScanIndexForward: false,
    Limit: 1,
  };
}

/**
 * Named access pattern "a day's return and the one before it": the two newest on or before the day,
 * strongly consistent, so the write path reads both in one call.
 */
export function dayAndPreviousRequest(locationId: string, reportDate: string, table = TABLES.returns): QueryCommandInput {
  return daysAndPreviousRequest(locationId, reportDate, reportDate, table);
}

/**
 * Named access pattern "a run of days' returns and the one before the first" (the bulk upload writes
 * all of a location's days at once): the returns on or before the last day, newest first, strongly
 * consistent, as many as there are days from the last back to the day before the first. A location has
 * at most one return a day, so that covers every day of the run and the newest return before it (and no
 * more than 9 for the 8-day window).
 */
export function daysAndPreviousRequest(locationId: string, firstDay: string, lastDay: string, table = TABLES.returns): QueryCommandInput {
  const days = Math.round((Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / 86_400_000) + 1;
  if (!(days >= 1)) throw new Error(`a run of days from ${firstDay} to ${lastDay}`);
  return {
    TableName: table,
    KeyConditionExpression: 'locationId = :id AND reportDate <= :day',
    ExpressionAttributeValues: { ':id': locationId, ':day': lastDay },
    ScanIndexForward: false,
    Limit: days + 1,
    ConsistentRead: true,
  };
}

export interface HistoryRequest {
  locationId: string;
  from?: string;
  to?: string;
  limit: number;
  nextToken?: string;
}

/** Named access pattern "a location's returns between two days, newest first". */
export function returnHistoryRequest(request: HistoryRequest, table = TABLES.returns): QueryCommandInput {
  const startKey = decodePageToken(request.nextToken, ['locationId', 'reportDate']);
  if (startKey && startKey.locationId !== request.locationId) {
    // A token from another location's history would silently page through the wrong data.
    throw invalidPageToken();
  }
  requireStartKeyWithin(startKey, 'reportDate', { from: request.from, to: request.to });
  const range =
    request.from && request.to
      ? ' AND reportDate BETWEEN :from AND :to'
      : request.from
        ? ' AND reportDate >= :from'
        : request.to
          ? ' AND reportDate <= :to'
          : '';
  return {
    TableName: table,
    KeyConditionExpression: `locationId = :id${range}`,
    ExpressionAttributeValues: {
      ':id': request.locationId,
      ...(request.from ? { ':from': request.from } : {}),
      ...(request.to ? { ':to': request.to } : {}),
    },
    ScanIndexForward: false,
    Limit: request.limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function getReturn(locationId: string, reportDate: string): Promise<StoredReturn | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: TABLES.returns, Key: keys.dailyReturn(locationId, reportDate), ConsistentRead: true }),
  );
  return Item ? toStoredReturn(Item) : undefined;
}

export async function getLatestReturn(locationId: string, options: { onOrBefore?: string; before?: string } = {}): Promise<StoredReturn | undefined> {
  const { Items } = await dynamo.send(new QueryCommand(latestReturnRequest(locationId, options)));
  return Items?.[0] ? toStoredReturn(Items[0]) : undefined;
}

/**
 * Named access pattern "a location's two newest returns", strongly consistent: what a location item that
 * does not keep the copies yet (`ReturnCopies`) is given by its next write.
 */
export function newestReturnsRequest(locationId: string, table = TABLES.returns): QueryCommandInput {
  return { TableName: table, KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId }, ScanIndexForward: false, Limit: 2, ConsistentRead: true };
}

export async function getNewestReturns(locationId: string): Promise<StoredReturn[]> {
  const { Items = [] } = await dynamo.send(new QueryCommand(newestReturnsRequest(locationId)));
  return Items.map(toStoredReturn);
}

/** The day's current return (if any) and the newest one before that day (if any). */
export async function getDayAndPrevious(locationId: string, reportDate: string): Promise<{ current?: StoredReturn; previous?: StoredReturn }> {
  const { Items = [] } = await dynamo.send(new QueryCommand(dayAndPreviousRequest(locationId, reportDate)));
  const [first, second] = Items.map(toStoredReturn);
  if (first?.reportDate === reportDate) return { current: first, ...(second ? { previous: second } : {}) };
  return first ? { previous: first } : {};
}

/**
 * The returns of the days from `firstDay` to `lastDay` and the newest one before `firstDay`, newest
 * first (see `daysAndPreviousRequest`): every return a write of those days needs to know.
 */
export async function getDaysAndPrevious(locationId: string, firstDay: string, lastDay: string): Promise<StoredReturn[]> {
  const { Items = [] } = await dynamo.send(new QueryCommand(daysAndPreviousRequest(locationId, firstDay, lastDay)));
  return Items.map(toStoredReturn);
}

export async function listReturns(request: HistoryRequest): Promise<{ items: StoredReturn[]; nextToken: string | null }> {
  const page = await queryPage(returnHistoryRequest(request));
  return { items: (page.Items ?? []).map(toStoredReturn), nextToken: encodePageToken(page.LastEvaluatedKey) };
}
