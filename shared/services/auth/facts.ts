import { getLocation } from '#shared/repositories/locations';
import { getMembership } from '#shared/repositories/memberships';
import { getCallerAndLocationForWrite } from '#shared/repositories/member-location';
import type { StoredCaller } from '#shared/model/access/caller-check';
import type { AlreadyRead } from '#shared/services/returns/submit';
import type { RouteDefinition } from '#shared/model/routes';
import { factsNeeded, type AccessFacts } from '#shared/model/access/access';
import type { Principal } from '#shared/model/access/identity';

/**
 * Reads what the access decision needs about one location, and nothing more. Loaded lazily by the HTTP
 * layer, so routes that never check a location need not be given these tables.
 */
export async function loadAccessFacts(route: RouteDefinition, principal: Principal, locationId: string): Promise<AccessFacts> {
  const needed = factsNeeded(route, principal);
  // Side by side: neither read depends on the other.
  const [member, location] = await Promise.all([
    needed.membership ? getMembership(principal.userId, locationId) : undefined,
    needed.location ? getLocation(locationId) : undefined,
  ]);
  return factsOf(needed, member, location);
}

function factsOf(
  needed: ReturnType<typeof factsNeeded>,
  member: { manager?: boolean } | undefined,
  location: { localAuthority: string; region: string } | undefined,
): AccessFacts {
  const facts: AccessFacts = {};
  if (needed.membership) {
    facts.isMember = member !== undefined;
    facts.isManager = member?.manager === true;
  }
  if (needed.location) facts.locationAreas = location ? { localAuthority: location.localAuthority, region: location.region } : null;
  return facts;
}

/**
 * `loadAccessFacts` for the routes that write a return (PUT, confirm): the location as the write reads it,
 * with a provider's membership and, when the authorizer left it to the route (`readCaller`), the caller's
 * user record, in ONE BatchGetItem, the location handed on (`read`) so the write does not read it again.
 * The decision is the same as `loadAccessFacts` makes: the location is only ever handed to a route that
 * the decision let in. Without `readCaller`, a caller who needs no membership reads nothing here.
 */
export async function loadWriteAccessFacts(
  route: RouteDefinition,
  principal: Principal,
  locationId: string,
  { readCaller = false } = {},
): Promise<AccessFacts & { read?: AlreadyRead; caller?: StoredCaller | undefined }> {
  const needed = factsNeeded(route, principal);
  if (!readCaller && (!needed.membership || needed.location)) return loadAccessFacts(route, principal, locationId);
  const { caller, membership, location } = await getCallerAndLocationForWrite(principal.userId, locationId, { caller: readCaller, membership: needed.membership });
  const facts = factsOf(needed, membership, location?.location);
  return { ...facts, read: { location }, ...(readCaller ? { caller } : {}) };
}
