import { BatchGetCommand, type BatchGetCommandInput, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { problems } from '#shared/model/errors';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { locationForWriteOf, type LocationForWrite } from '#shared/repositories/locations';
import type { Membership } from '#shared/repositories/memberships';

/** What one round trip says about a provider user and a location they would write a return of. */
export interface MembershipAndLocation {
  membership: Membership | undefined;
  /** As the write path reads it (strongly consistent, with the copies of its newest returns); undefined: no such location. */
  location: LocationForWrite | undefined;
}

/** A key DynamoDB left unprocessed (throttling) is asked for again this many times, with a growing wait. */
const BATCH_ATTEMPTS = 6;

/**
 * Named access pattern "a provider's membership of a location, and the location as a return write reads
 * it": ONE BatchGetItem of the two items (the membership eventually consistent, as `getMembership` reads
 * it; the location strongly consistent, as `getLocationForWrite` does, so whatever the write reads after
 * it is at least as new). Keys DynamoDB leaves unprocessed are asked for again.
 */
export async function getMembershipAndLocationForWrite(userId: string, locationId: string): Promise<MembershipAndLocation> {
  const memberships = tableName('memberships');
  const locations = tableName('locations');
  let membership: Record<string, unknown> | undefined;
  let location: Record<string, unknown> | undefined;
  let pending: BatchGetCommandInput['RequestItems'] = {
    [memberships]: { Keys: [keys.membership(userId, locationId)] },
    [locations]: { Keys: [keys.location(locationId)], ConsistentRead: true },
  };
  for (let attempt = 1; pending && Object.keys(pending).length > 0; attempt += 1) {
    if (attempt > BATCH_ATTEMPTS) throw problems.busy('DynamoDB is busy; try again.');
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const result: BatchGetCommandOutput = await dynamo.send(new BatchGetCommand({ RequestItems: pending }));
    membership ??= result.Responses?.[memberships]?.[0];
    location ??= result.Responses?.[locations]?.[0];
    pending = result.UnprocessedKeys;
  }
  return { membership: membership as Membership | undefined, location: location ? locationForWriteOf(location) : undefined };
}
