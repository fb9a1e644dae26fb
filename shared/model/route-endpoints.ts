/**
 * Every route's method and path, by route id: the part of the route table that says which requests the API
 * has, and nothing of what they carry. Each route's definition (`route-<area>.ts`) takes its method and
 * path from here (`defineRoute`), so they are written once; the fallback function matches an unknown
 * request against this table alone (404 or 405), without the schemas of every route in its bundle.
 */
import type { HttpMethod, RouteBody } from '#shared/model/route-definition';

export const ENDPOINTS = {
  health: { method: 'GET', path: '/v1/health' },
  openapi: { method: 'GET', path: '/v1/openapi.json' },
  listLocations: { method: 'GET', path: '/v1/locations' },
  getLocation: { method: 'GET', path: '/v1/locations/{locationId}' },
  listReturns: { method: 'GET', path: '/v1/locations/{locationId}/returns' },
  listReturnVersions: { method: 'GET', path: '/v1/locations/{locationId}/returns/{reportDate}/versions' },
  putReturn: { method: 'PUT', path: '/v1/locations/{locationId}/returns/{reportDate}' },
  confirmReturn: { method: 'POST', path: '/v1/locations/{locationId}/returns/{reportDate}/confirm' },
  bulkReturns: { method: 'POST', path: '/v1/returns/bulk' },
  bulkReturnsTemplate: { method: 'GET', path: '/v1/returns/bulk/template.csv' },
  revokeUpdateLinks: { method: 'POST', path: '/v1/locations/{locationId}/update-links/revoke' },
  getAggregates: { method: 'GET', path: '/v1/aggregates' },
  createExport: { method: 'POST', path: '/v1/exports' },
  getExport: { method: 'GET', path: '/v1/exports/{exportId}' },
  exportAggregates: { method: 'GET', path: '/v1/exports/aggregates.csv' },
  exportLocations: { method: 'GET', path: '/v1/exports/locations.csv' },
  getCompleteness: { method: 'GET', path: '/v1/completeness' },
  findPlaces: { method: 'GET', path: '/v1/places' },
  listAreas: { method: 'GET', path: '/v1/areas' },
  searchVacancies: { method: 'GET', path: '/v1/vacancies' },
  listUsers: { method: 'GET', path: '/v1/users' },
  inviteUser: { method: 'POST', path: '/v1/users' },
  changeUser: { method: 'PATCH', path: '/v1/users/{userId}' },
  listMembers: { method: 'GET', path: '/v1/locations/{locationId}/members' },
  putMember: { method: 'PUT', path: '/v1/locations/{locationId}/members/{userId}' },
  removeMember: { method: 'DELETE', path: '/v1/locations/{locationId}/members/{userId}' },
  readAudit: { method: 'GET', path: '/v1/audit' },
  getLocationContact: { method: 'GET', path: '/v1/locations/{locationId}/contact' },
  putLocationContact: { method: 'PUT', path: '/v1/locations/{locationId}/contact' },
  getProviderContact: { method: 'GET', path: '/v1/providers/{providerId}/contact' },
  putProviderContact: { method: 'PUT', path: '/v1/providers/{providerId}/contact' },
  pauseLocation: { method: 'POST', path: '/v1/locations/{locationId}/pause' },
  resumeLocation: { method: 'POST', path: '/v1/locations/{locationId}/resume' },
  unreachableReport: { method: 'GET', path: '/v1/reports/unreachable' },
  register: { method: 'POST', path: '/v1/registrations' },
  listRegistrations: { method: 'GET', path: '/v1/registrations' },
  approveRegistration: { method: 'POST', path: '/v1/registrations/{registrationId}/approve' },
  rejectRegistration: { method: 'POST', path: '/v1/registrations/{registrationId}/reject' },
  getLocationArea: { method: 'GET', path: '/v1/locations/{locationId}/area' },
  createSavedSearch: { method: 'POST', path: '/v1/saved-searches' },
  listSavedSearches: { method: 'GET', path: '/v1/saved-searches' },
  deleteSavedSearch: { method: 'DELETE', path: '/v1/saved-searches/{searchId}' },
  unsubscribeSavedSearch: { method: 'POST', path: '/v1/saved-searches/unsubscribe' },
} as const satisfies Record<string, { method: HttpMethod; path: string }>;

export type EndpointId = keyof typeof ENDPOINTS;

/**
 * A route's definition: its id, its method and path from `ENDPOINTS`, and the rest (`define`), with the
 * literal types of all of it (`const`). The rest is given as a function so that the call has no side
 * effects: written `/* @__PURE__ *\/ defineRoute(...)`, a definition no code of a bundle uses is left out
 * of it, with the spreads and schemas it names, where an object literal with a spread would be kept.
 */
export function defineRoute<const Id extends EndpointId, const D extends RouteBody>(id: Id, define: () => D): { id: Id } & (typeof ENDPOINTS)[Id] & D {
  return { id, ...ENDPOINTS[id], ...define() };
}

/** `/v1/locations/{locationId}` → a matcher; path parameters come back decoded, as API Gateway gives them. */
export function compilePath(path: string): (rawPath: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (parameter?.[1] === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${pattern}$`);
  return (rawPath) => {
    const match = regex.exec(rawPath);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    for (const [index, name] of names.entries()) {
      const raw = match[index + 1] ?? '';
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    }
    return params;
  };
}

/**
 * As API Gateway chooses, a literal segment beats a path parameter wherever they differ
 * (`/v1/exports/aggregates.csv` before `/v1/exports/{exportId}`), whatever the table's order.
 */
const specificity = (path: string) => path.split('/').map((segment) => (segment.startsWith('{') ? '1' : '0')).join('');
/** Compiled at the first match, so that a bundle which only spreads `endpoint(id)` leaves the matcher out. */
let compiled: { id: EndpointId; method: HttpMethod; match: (rawPath: string) => Record<string, string> | undefined }[] | undefined;
const compiledEndpoints = () =>
  (compiled ??= (Object.entries(ENDPOINTS) as [EndpointId, (typeof ENDPOINTS)[EndpointId]][])
    .map(([id, { method, path }]) => ({ id, method: method as HttpMethod, match: compilePath(path), rank: specificity(path) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0)));

export type EndpointMatch =
  | { kind: 'matched'; id: EndpointId; pathParameters: Record<string, string> }
  | { kind: 'wrongMethod'; allowed: HttpMethod[] }
  | { kind: 'none' };

/** The route a request is for, as API Gateway would pick it; or the methods its path has; or none. */
export function matchEndpoint(method: string, rawPath: string): EndpointMatch {
  const allowed: HttpMethod[] = [];
  for (const { id, method: routeMethod, match } of compiledEndpoints()) {
    const params = match(rawPath);
    if (!params) continue;
    if (routeMethod === method.toUpperCase()) return { kind: 'matched', id, pathParameters: params };
    allowed.push(routeMethod);
  }
  return allowed.length > 0 ? { kind: 'wrongMethod', allowed } : { kind: 'none' };
}
