import { getLocation } from '#shared/repositories/locations';
import { getMembership } from '#shared/repositories/memberships';
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
  const facts: AccessFacts = {};
  if (needed.membership) {
    facts.isMember = member !== undefined;
    facts.isManager = member?.manager === true;
  }
  if (needed.location) facts.locationAreas = location ? { localAuthority: location.localAuthority, region: location.region } : null;
  return facts;
}
