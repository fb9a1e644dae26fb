/**
 * The service's own routes, both public: liveness and the OpenAPI document. One constant per route, listed
 * in `routes.ts`; a function imports its own route's constant, so its bundle holds that definition and the
 * schemas named here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import type { RouteBody } from '#shared/model/route-definition';

export const healthRoute = /* @__PURE__ */ defineRoute('health', () => ({
  handler: 'functions/health.ts',
  access: 'public',
  scope: 'none',
  tables: {},
  dynamodb: {},
  summary: 'Liveness',
  responses: { 200: { description: 'the service is up' } },
}) satisfies RouteBody);

export const openapiRoute = /* @__PURE__ */ defineRoute('openapi', () => ({
  handler: 'functions/openapi.ts',
  access: 'public',
  scope: 'none',
  tables: {},
  dynamodb: {},
  summary: 'The OpenAPI 3.1 document, generated from the schemas',
  responses: { 200: { description: 'OpenAPI document' } },
}) satisfies RouteBody);
