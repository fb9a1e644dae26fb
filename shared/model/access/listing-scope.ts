import { problems } from '#shared/model/errors';
import { areaLevelOf } from '#shared/model/schemas/common';
import type { LocationType } from '#shared/model/schemas/location';
import { areasCover } from '#shared/model/access/access';
import type { Principal } from '#shared/model/access/identity';

export interface ListingQuery {
  area?: string;
  type?: LocationType;
  limit: number;
  nextToken?: string;
}

/**
 * What a caller may list: a provider its own locations, a commissioner its own areas (or a local
 * authority inside them), everyone else with a listing role anything.
 */
export type ListingScope =
  | { kind: 'memberships'; userId: string; query: ListingQuery }
  | { kind: 'area'; query: ListingQuery; keep?: (place: { localAuthority: string; region: string }) => boolean };

export function scopeLocationListing(principal: Principal, query: ListingQuery): ListingScope {
  if (principal.kind !== 'user') throw problems.forbidden('An update link cannot list locations.');
  if (principal.role === 'provider') return { kind: 'memberships', userId: principal.userId, query };
  if (principal.role !== 'commissioner') return { kind: 'area', query };

  const { areas } = principal;
  if (query.area === undefined) {
    if (areas.length === 1) return { kind: 'area', query: { ...query, area: areas[0]! } };
    throw problems.validation([{ path: 'query.area', message: `choose one of your areas: ${areas.join(', ')}` }]);
  }
  if (areas.includes(query.area)) return { kind: 'area', query };
  // A local authority inside one of the commissioner's regions: the listing carries each location's
  // region, so keep what is covered (all of it, or none if the authority lies elsewhere).
  if (areaLevelOf(query.area) === 'localAuthority' && areas.some((area) => areaLevelOf(area) !== 'localAuthority')) {
    return { kind: 'area', query, keep: (place) => areasCover(areas, place) };
  }
  throw problems.forbidden(`Area ${query.area} is outside your areas (${areas.join(', ')}).`);
}
