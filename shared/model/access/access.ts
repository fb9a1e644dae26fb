import { ENGLAND } from '#shared/model/schemas/common';
import type { RouteDefinition } from '#shared/model/routes';
import type { Principal } from '#shared/model/access/identity';

/** What the decision needs to know about the target, loaded only when the principal's kind needs it. */
export interface AccessFacts {
  /** For a provider user and a location route: is the user a member of that location, and a manager? */
  isMember?: boolean;
  isManager?: boolean;
  /** For a commissioner and a location route: where the location is; null if there is no such location. */
  locationAreas?: { localAuthority: string; region: string } | null;
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

const allow: AccessDecision = { allowed: true };
const deny = (reason: string): AccessDecision => ({ allowed: false, reason });

/** Does a commissioner's set of areas cover a location in this local authority and region? */
export function areasCover(areas: readonly string[], place: { localAuthority: string; region: string }): boolean {
  return areas.includes(ENGLAND) || areas.includes(place.region) || areas.includes(place.localAuthority);
}

/**
 * The one authorization rule: the route table's roles, then the membership or area rule for routes
 * about one location. Listing routes are scoped by `scopeLocationListing`, not refused here.
 */
export function decideAccess(route: RouteDefinition, principal: Principal, locationId: string | undefined, facts: AccessFacts): AccessDecision {
  if (route.access === 'public') return allow;
  if (principal.kind === 'updateLink') {
    if (!route.updateLink) return deny('An update link can only open and update its own location’s return.');
    if (locationId !== principal.locationId) return deny('This update link is for another location.');
    return allow;
  }
  if (!route.access.includes(principal.role)) {
    return deny(`The ${principal.role} role may not call ${route.method} ${route.path}.`);
  }
  if (route.scope !== 'location' || locationId === undefined) return allow;
  if (principal.role === 'provider') {
    if (!facts.isMember) return deny(`You are not a member of location ${locationId}.`);
    return !route.managers || facts.isManager ? allow : deny(`Only a manager of location ${locationId} may do this.`);
  }
  if (principal.role === 'commissioner') {
    // An unknown location is let through so the route answers 404, as it does for everyone else.
    if (facts.locationAreas === null) return allow;
    if (facts.locationAreas && areasCover(principal.areas, facts.locationAreas)) return allow;
    return deny(`Location ${locationId} is outside your areas.`);
  }
  return allow;
}

/** Which facts `decideAccess` will need, so nothing is read that the decision does not use. */
export function factsNeeded(route: RouteDefinition, principal: Principal): { membership: boolean; location: boolean } {
  const locationScoped = route.scope === 'location' && principal.kind === 'user' && route.access !== 'public' && route.access.includes(principal.role);
  return {
    membership: locationScoped && principal.kind === 'user' && principal.role === 'provider',
    location: locationScoped && principal.kind === 'user' && principal.role === 'commissioner',
  };
}
