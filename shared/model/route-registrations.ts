/**
 * Registrations: a provider user asking to act for a location, and the decision on it. One constant per
 * route, listed in `routes.ts`; a function imports its own route's constant, so its bundle holds that
 * definition and the schemas named here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import { problems, readProblems, IDEMPOTENCY_IN_PROGRESS, idempotencyProblems, IDEMPOTENCY_CALLS, type RouteBody } from '#shared/model/route-definition';
import { Registration, RegistrationDecision, RegistrationListQuery, RegistrationPage, RegistrationRequest } from '#shared/model/schemas/registrations';

export const registerRoute = /* @__PURE__ */ defineRoute('register', () => ({
  handler: 'functions/registrations/register.ts',
  access: ['provider'],
  scope: 'none',
  tables: { locations: 'RO', registrations: 'RW', memberships: 'RO', users: 'RO', audit: 'RW', idempotency: 'RW' },
  dynamodb: { locations: ['GetItem'], registrations: ['Query:byLocation', 'PutItem', 'UpdateItem'], memberships: ['GetItem'], users: ['GetItem'], audit: ['PutItem'], idempotency: IDEMPOTENCY_CALLS },
  summary: 'A provider user asks to act for a location, by its CQC location ID; pending until an admin or the location\'s manager decides',
  request: { body: RegistrationRequest, idempotencyKey: true },
  responses: {
    201: { description: 'pending', schema: Registration },
    200: { description: 'you had already asked: your pending registration', schema: Registration },
    400: problems[400],
    401: problems[401],
    404: { description: 'no such location in the CQC directory' },
    409: { description: `the location is inactive; you are already a member; someone else's request for it is pending; you have 5 pending; or ${IDEMPOTENCY_IN_PROGRESS}` },
    ...idempotencyProblems,
  },
}) satisfies RouteBody);

export const listRegistrationsRoute = /* @__PURE__ */ defineRoute('listRegistrations', () => ({
  handler: 'functions/registrations/list.ts',
  access: ['admin', 'provider'],
  scope: 'none',
  tables: { registrations: 'RO', memberships: 'RO' },
  dynamodb: { registrations: ['Query:byLocation', 'Query:byStatus', 'Query:byUser'], memberships: ['GetItem'] },
  summary: "Registrations: for an admin the queue by status (pending by default, oldest first) or one location's; for a manager their location's (locationId); for any other provider user their own, newest first",
  request: { query: RegistrationListQuery },
  responses: { 200: { description: 'a page of registrations', schema: RegistrationPage }, ...readProblems },
}) satisfies RouteBody);

export const approveRegistrationRoute = /* @__PURE__ */ defineRoute('approveRegistration', () => ({
  handler: 'functions/registrations/approve.ts',
  access: ['admin', 'provider'],
  scope: 'none',
  // A provider must manage the registration's location: the service checks, having read the registration.
  managers: true,
  tables: { registrations: 'RW', memberships: 'RW', locations: 'RW', audit: 'RW' },
  dynamodb: { registrations: ['GetItem', 'UpdateItem', 'DeleteItem'], memberships: ['GetItem', 'Query:byLocation', 'PutItem'], locations: ['UpdateItem'], audit: ['PutItem'] },
  summary: "Approve a pending registration (an admin, or a manager of its location): the user becomes a member, and the location's manager if it has none",
  request: { body: RegistrationDecision },
  responses: { 200: { description: 'approved', schema: Registration }, ...problems, 409: { description: 'already decided' } },
}) satisfies RouteBody);

export const rejectRegistrationRoute = /* @__PURE__ */ defineRoute('rejectRegistration', () => ({
  handler: 'functions/registrations/reject.ts',
  access: ['admin', 'provider'],
  scope: 'none',
  // A provider must manage the registration's location: the service checks, having read the registration.
  managers: true,
  tables: { registrations: 'RW', memberships: 'RO', audit: 'RW' },
  dynamodb: { registrations: ['GetItem', 'UpdateItem', 'DeleteItem'], memberships: ['GetItem'], audit: ['PutItem'] },
  summary: 'Reject a pending registration (an admin, or a manager of its location)',
  request: { body: RegistrationDecision },
  responses: { 200: { description: 'rejected', schema: Registration }, ...problems, 409: { description: 'already decided' } },
}) satisfies RouteBody);
