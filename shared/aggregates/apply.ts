import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { countActive } from '../repositories/activity';
import { applyChange, getLedgerEntry, type LedgerEntry } from '../repositories/aggregates';
import type { ReturnItem } from '../repositories/returns';
import { keys } from '../keys';
import { dynamo } from '../runtime/dynamodb';
import { tableName } from '../runtime/config';
import { toStoredReturn } from '../repositories/returns';
import { areaKeyOf, areasOf, type AreaRef } from './areas';
import { contributionOf } from './metrics';

const LOCATIONS = tableName('locations');

/** Contention on one area-day (every return in England moves the England item) is retried this often. */
const ATTEMPTS = 6;

/**
 * How many active locations each area expects, counted once per container every few minutes: enough
 * for locationsExpected, which is fixed when a day's aggregate is first written.
 */
const EXPECTED_TTL_MS = 5 * 60_000;
const expectedCache = new Map<string, { count: number; at: number }>();

async function expectedCounts(refs: AreaRef[], now: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await Promise.all(
    refs.map(async (ref) => {
      const key = areaKeyOf(ref);
      const cached = expectedCache.get(key);
      if (cached && now - cached.at < EXPECTED_TTL_MS) return counts.set(key, cached.count);
      const count = await countActive(ref);
      expectedCache.set(key, { count, at: now });
      counts.set(key, count);
    }),
  );
  return counts;
}

function isContention(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict')
  );
}

/**
 * Apply one stream image of a return to the aggregates, exactly once in effect: a version the ledger
 * has already applied (a duplicate, a redelivery, an older version arriving late) changes nothing.
 */
export async function applyReturn(item: ReturnItem, now = Date.now()): Promise<'applied' | 'skipped'> {
  const next: LedgerEntry = {
    locationId: item.locationId,
    reportDate: item.reportDate,
    appliedVersion: item.version,
    contribution: contributionOf(item),
    localAuthority: item.localAuthority,
    region: item.region,
  };
  for (let attempt = 1; ; attempt += 1) {
    const previous = await getLedgerEntry(item.locationId, item.reportDate);
    if (previous && previous.appliedVersion >= item.version) return 'skipped';
    const refs = [...areasOf(next), ...(previous ? areasOf(previous) : [])];
    const expected = await expectedCounts(refs, now);
    try {
      await applyChange(previous, next, (ref) => expected.get(areaKeyOf(ref)) ?? 0);
      return 'applied';
    } catch (error) {
      // Someone moved the ledger or the area item between our read and write: read again.
      if (!isContention(error) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
    }
  }
}

/**
 * Keep a copy of the newest return on the location, for the national export (one Query instead of a
 * read per location). Conditional, so a late or repeated delivery of an older one is ignored.
 */
export async function recordLatestReturn(item: ReturnItem): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: LOCATIONS,
        Key: keys.location(item.locationId),
        UpdateExpression: 'SET latestReturn = :latest',
        ConditionExpression:
          'attribute_exists(locationId) AND (attribute_not_exists(latestReturn) OR latestReturn.reportDate < :date OR (latestReturn.reportDate = :date AND latestReturn.version < :version))',
        ExpressionAttributeValues: { ':latest': toStoredReturn(item), ':date': item.reportDate, ':version': item.version },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
