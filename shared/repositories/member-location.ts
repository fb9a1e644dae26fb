import { keys } from '#shared/model/keys';
import { tableName } from '#shared/runtime/settings';
import { getItemsInOneBatch, type ItemRequest } from '#shared/repositories/batch-get';
import { locationForWriteOf, type LocationForWrite } from '#shared/repositories/locations';
import type { Membership } from '#shared/repositories/memberships';
import { storedCallerOf } from '#shared/repositories/users';
import type { StoredCaller } from '#shared/model/access/caller-check';

/** What one round trip says about a caller and a location they would write a return of. */
export interface CallerAndLocation {
  /** Read when asked for (`caller`): the users table's record of the caller (undefined: it holds none). */
  caller?: StoredCaller | undefined;
  /** Read when asked for (`membership`): the caller's membership of the location (undefined: not a member). */
  membership?: Membership | undefined;
  /** As the write path reads it (strongly consistent, with the copies of its newest returns); undefined: no such location. */
  location: LocationForWrite | undefined;
}

/**
 * Named access pattern "what a return write needs to know before its transaction": the location as the
 * write reads it (strongly consistent, as `getLocationForWrite` does, so whatever the write reads after it
 * is at least as new), with, as asked, the caller's user record (eventually consistent, as `getUser` reads
 * it) and their membership of the location (as `getMembership` reads it): ONE BatchGetItem.
 */
export async function getCallerAndLocationForWrite(userId: string, locationId: string, read: { caller: boolean; membership: boolean }): Promise<CallerAndLocation> {
  const requests: ItemRequest[] = [{ table: tableName('locations'), key: keys.location(locationId), consistentRead: true }];
  if (read.caller) requests.push({ table: tableName('users'), key: keys.user(userId) });
  if (read.membership) requests.push({ table: tableName('memberships'), key: keys.membership(userId, locationId) });
  const [location, ...rest] = await getItemsInOneBatch(requests);
  const result: CallerAndLocation = { location: location ? locationForWriteOf(location) : undefined };
  if (read.caller) result.caller = storedCallerOf(rest.shift());
  if (read.membership) result.membership = rest.shift() as Membership | undefined;
  return result;
}
