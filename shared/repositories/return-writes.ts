import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { StoredReturn } from '#shared/model/schemas/return';
import { toReturnItem, type ReturnPlace } from '#shared/model/returns/return-item';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

// Only the write path needs these three tables; readers import repositories/returns alone.
const TABLES = { get returns() { return tableName('returns'); }, get returnVersions() { return tableName('returnVersions'); }, get locations() { return tableName('locations'); } };

/**
 * What the write knows of the location, and what it insists has not changed since it read it.
 * `newestReportDate` is the location's newest report date as read (`recorded` says whether the item
 * carries it yet; older items do not). `returnWrites`, when given, makes the write fail if any other
 * return of the location was written after that read: a confirm repeats what it read, so it must not
 * land after a newer write.
 */
export interface LocationGuard {
  newestReportDate: string | undefined;
  recorded: boolean;
  returnWrites?: number;
}

/** Only a return for the newest report date, or a later one, is an update: correcting an old day is not. */
export function isNewestReport(reportDate: string, newestReportDate: string | undefined): boolean {
  return newestReportDate === undefined || reportDate >= newestReportDate;
}

function locationUpdate(stored: StoredReturn, guard: LocationGuard) {
  const newest = isNewestReport(stored.reportDate, guard.newestReportDate);
  const values: Record<string, unknown> = { ':one': 1 };
  const sets: string[] = [];
  const conditions = ['attribute_exists(locationId)'];
  if (newest) {
    sets.push('lastUpdated = :at', 'freshness = :at', 'newestReportDate = :date');
    Object.assign(values, { ':at': stored.submittedAt, ':date': stored.reportDate });
  } else if (!guard.recorded) {
    // An item from before newestReportDate was kept learns it now, from what the writer looked up.
    sets.push('newestReportDate = :newest');
    values[':newest'] = guard.newestReportDate;
  }
  // The newest date decided what is set; if another writer moved it meanwhile, the write fails and is retried.
  if (!guard.recorded) conditions.push('attribute_not_exists(newestReportDate)');
  else {
    conditions.push(newest ? 'newestReportDate <= :date' : 'newestReportDate > :date');
    values[':date'] = stored.reportDate;
  }
  if (guard.returnWrites === 0) conditions.push('attribute_not_exists(returnWrites)');
  else if (guard.returnWrites !== undefined) {
    conditions.push('returnWrites = :seenWrites');
    values[':seenWrites'] = guard.returnWrites;
  }
  return {
    UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD returnWrites :one`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeValues: values,
  };
}

/**
 * One atomic write of a new version: the day's current return (conditional on the version it replaces,
 * so two writers cannot both win), the immutable version record, and the location's freshness (moved
 * only by the newest report date) and write count.
 */
export function writeReturnRequest(
  stored: StoredReturn,
  place: ReturnPlace,
  replacesVersion: number | undefined,
  guard: LocationGuard,
  tables = TABLES,
): TransactWriteCommandInput {
  return {
    TransactItems: [
      {
        Put: {
          TableName: tables.returns,
          Item: toReturnItem(stored, place),
          ...(replacesVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(locationId)' }
            : { ConditionExpression: 'version = :replaces', ExpressionAttributeValues: { ':replaces': replacesVersion } }),
        },
      },
      {
        Put: {
          TableName: tables.returnVersions,
          Item: { ...stored, ...keys.returnVersion(stored.locationId, stored.reportDate, stored.version) },
          ConditionExpression: 'attribute_not_exists(locationId)',
        },
      },
      { Update: { TableName: tables.locations, Key: keys.location(stored.locationId), ...locationUpdate(stored, guard) } },
    ],
  };
}

export const WRITE_PART = { currentReturn: 0, version: 1, location: 2 } as const;

export async function writeReturn(stored: StoredReturn, place: ReturnPlace, replacesVersion: number | undefined, guard: LocationGuard): Promise<void> {
  await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, place, replacesVersion, guard)));
}
