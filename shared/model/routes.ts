/**
 * The route table: every HTTP route, the function that serves it and who may call it. The CDK app builds
 * the HTTP API and one Lambda per entry from it; the local gateway matches requests with it and calls the
 * same handler; the OpenAPI document is generated from it.
 *
 * Each route is defined once, as a constant of `route-<area>.ts` (its method and path from
 * `route-endpoints.ts`); this table lists them all. A function imports its own route's constant, so its
 * bundle holds that route's definition and schemas, not every route's.
 */
import { healthRoute, openapiRoute } from '#shared/model/route-api';
import { listLocationsRoute, getLocationRoute, getLocationAreaRoute, revokeUpdateLinksRoute } from '#shared/model/route-locations';
import { listReturnsRoute, listReturnVersionsRoute, putReturnRoute, confirmReturnRoute, bulkReturnsRoute, bulkReturnsTemplateRoute } from '#shared/model/route-returns';
import { getAggregatesRoute, getCompletenessRoute, findPlacesRoute, listAreasRoute, searchVacanciesRoute } from '#shared/model/route-areas';
import { createExportRoute, getExportRoute, exportAggregatesRoute, exportLocationsRoute } from '#shared/model/route-exports';
import { listUsersRoute, inviteUserRoute, changeUserRoute, listMembersRoute, putMemberRoute, removeMemberRoute, readAuditRoute, getLocationContactRoute, putLocationContactRoute, getProviderContactRoute, putProviderContactRoute, pauseLocationRoute, resumeLocationRoute, unreachableReportRoute } from '#shared/model/route-people';
import { registerRoute, listRegistrationsRoute, approveRegistrationRoute, rejectRegistrationRoute } from '#shared/model/route-registrations';
import { createSavedSearchRoute, listSavedSearchesRoute, deleteSavedSearchRoute, unsubscribeSavedSearchRoute } from '#shared/model/route-saved-searches';
import type { HttpMethod, RouteDefinition } from '#shared/model/route-definition';
import { ENDPOINTS, matchEndpoint } from '#shared/model/route-endpoints';

export {
  DYNAMODB_READ_ACTIONS,
  DYNAMODB_WRITE_ACTIONS,
  IDEMPOTENCY_CALLS,
  type AsyncFunctionId,
  type BucketAccess,
  type DynamoAction,
  type DynamoCalls,
  type DynamoIndexQuery,
  type DynamoReadAction,
  type DynamoWriteAction,
  type HttpMethod,
  type RouteDefinition,
  type TableAccess,
  type UserPoolAction,
} from '#shared/model/route-definition';
export { compilePath } from '#shared/model/route-endpoints';

export const routes = [
  healthRoute,
  openapiRoute,
  listLocationsRoute,
  getLocationRoute,
  listReturnsRoute,
  listReturnVersionsRoute,
  putReturnRoute,
  confirmReturnRoute,
  bulkReturnsRoute,
  bulkReturnsTemplateRoute,
  revokeUpdateLinksRoute,
  getAggregatesRoute,
  createExportRoute,
  getExportRoute,
  exportAggregatesRoute,
  exportLocationsRoute,
  getCompletenessRoute,
  findPlacesRoute,
  listAreasRoute,
  searchVacanciesRoute,
  listUsersRoute,
  inviteUserRoute,
  changeUserRoute,
  listMembersRoute,
  putMemberRoute,
  removeMemberRoute,
  readAuditRoute,
  getLocationContactRoute,
  putLocationContactRoute,
  getProviderContactRoute,
  putProviderContactRoute,
  pauseLocationRoute,
  resumeLocationRoute,
  unreachableReportRoute,
  registerRoute,
  listRegistrationsRoute,
  approveRegistrationRoute,
  rejectRegistrationRoute,
  getLocationAreaRoute,
  createSavedSearchRoute,
  listSavedSearchesRoute,
  deleteSavedSearchRoute,
  unsubscribeSavedSearchRoute,
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof routes)[number]['id'];

/** Every route of `ENDPOINTS` is in the table, and only those (a route left out of the list fails here). */
type Missing = Exclude<keyof typeof ENDPOINTS, RouteId>;
const everyEndpointListed: [Missing] extends [never] ? true : Missing = true;
void everyEndpointListed;

const byId = new Map<string, RouteDefinition>(routes.map((route) => [route.id, route]));

export function routeById(id: RouteId): RouteDefinition {
  const route = byId.get(id);
  if (!route) throw new Error(`no route ${id}`);
  return route;
}

export type RouteMatch =
  | { kind: 'matched'; route: RouteDefinition; pathParameters: Record<string, string> }
  | { kind: 'wrongMethod'; allowed: HttpMethod[] }
  | { kind: 'none' };

/** As API Gateway matches a request (`matchEndpoint`), with the matched route's definition. */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const match = matchEndpoint(method, rawPath);
  if (match.kind !== 'matched') return match;
  return { kind: 'matched', route: routeById(match.id), pathParameters: match.pathParameters };
}
