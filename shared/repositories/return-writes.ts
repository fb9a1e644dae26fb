import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '../keys';
import type { StoredReturn } from '../schemas/return';
import { toReturnItem, type ReturnPlace } from './returns';
import { dynamo } from '../runtime/dynamodb';
import { tableName } from '../runtime/config';

// Only the write path needs these three tables; readers import repositories/returns alone.
const TABLES = {
  returns: tableName('returns'),
  returnVersions: tableName('returnVersions'),
  locations: tableName('locations'),
};

/**
 * One atomic write of a new version: the day's current return (conditional on the version it replaces,
 * so two writers cannot both win), the immutable version record, and the location's lastUpdated.
 */
export function writeReturnRequest(
  stored: StoredReturn,
  place: ReturnPlace,
  replacesVersion: number | undefined,
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
      {
        Update: {
          TableName: tables.locations,
          Key: keys.location(stored.locationId),
          UpdateExpression: 'SET lastUpdated = :at, freshness = :at',
          ConditionExpression: 'attribute_exists(locationId)',
          ExpressionAttributeValues: { ':at': stored.submittedAt },
        },
      },
    ],
  };
}

export const WRITE_PART = { currentReturn: 0, version: 1, location: 2 } as const;

export async function writeReturn(stored: StoredReturn, place: ReturnPlace, replacesVersion: number | undefined): Promise<void> {
  await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, place, replacesVersion)));
}
