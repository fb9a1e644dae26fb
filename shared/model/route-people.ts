/**
 * People and their locations: users, members, the audit, contacts, pauses, and the locations no reminder
 * reaches. One constant per route, listed in `routes.ts`; a function imports its own route's constant, so
 * its bundle holds that definition and the schemas named here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import { problems, readProblems, type RouteBody } from '#shared/model/route-definition';
import { AuditPage, AuditQuery, LocationContact, Pause, PauseRequest, ProviderContact, ProviderContactView, UnreachableQuery, UnreachableReport, Member, MemberChange, MemberList, User, UserChange, UserInvite, UserListQuery, UserPage } from '#shared/model/schemas/people';

export const listUsersRoute = /* @__PURE__ */ defineRoute('listUsers', () => ({
  handler: 'functions/users/list.ts',
  access: ['admin'],
  scope: 'none',
  tables: { users: 'RO', memberships: 'RO' },
  dynamodb: { users: ['BatchGetItem', 'Query:byKind'], memberships: ['Query:byLocation'] },
  summary: "Users by email, of a role, or a location's members",
  request: { query: UserListQuery },
  responses: { 200: { description: 'a page of users', schema: UserPage }, ...readProblems },
}) satisfies RouteBody);

export const inviteUserRoute = /* @__PURE__ */ defineRoute('inviteUser', () => ({
  handler: 'functions/users/invite.ts',
  access: ['admin'],
  scope: 'none',
  tables: { users: 'RW', audit: 'RW' },
  dynamodb: { users: ['GetItem', 'PutItem'], audit: ['PutItem'] },
  userPool: ['AdminCreateUser', 'AdminAddUserToGroup'],
  summary: 'Invite a user: an account (in AWS a Cognito user and its invitation email) with a role and, for a commissioner, areas',
  request: { body: UserInvite },
  responses: {
    201: { description: 'the new user', schema: User },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: { description: 'the email address is already a user' },
  },
}) satisfies RouteBody);

export const changeUserRoute = /* @__PURE__ */ defineRoute('changeUser', () => ({
  handler: 'functions/users/change.ts',
  access: ['admin'],
  scope: 'none',
  tables: { users: 'RW', audit: 'RW' },
  dynamodb: { users: ['GetItem', 'UpdateItem'], audit: ['PutItem'] },
  userPool: ['AdminAddUserToGroup', 'AdminRemoveUserFromGroup', 'AdminUpdateUserAttributes', 'AdminDisableUser', 'AdminEnableUser', 'AdminUserGlobalSignOut'],
  summary: "Change a user's role or areas, or disable (or enable) them: from their next request",
  request: { body: UserChange },
  responses: {
    200: { description: 'the user as changed', schema: User },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: { description: 'no such user' },
    409: { description: 'changed meanwhile (read it again), or an admin disabling or demoting themself' },
  },
}) satisfies RouteBody);

export const listMembersRoute = /* @__PURE__ */ defineRoute('listMembers', () => ({
  handler: 'functions/members/list.ts',
  access: ['provider', 'admin'],
  scope: 'location',
  managers: true,
  tables: { locations: 'RO', memberships: 'RO', users: 'RO' },
  dynamodb: { locations: ['GetItem'], memberships: ['GetItem', 'Query:byLocation'], users: ['BatchGetItem'] },
  summary: "A location's members (managers first), with their email addresses",
  responses: { 200: { description: 'the members', schema: MemberList }, ...problems },
}) satisfies RouteBody);

export const putMemberRoute = /* @__PURE__ */ defineRoute('putMember', () => ({
  handler: 'functions/members/put.ts',
  access: ['provider', 'admin'],
  scope: 'location',
  managers: true,
  tables: { locations: 'RW', memberships: 'RW', users: 'RO', audit: 'RW' },
  // locations: its member and manager counts, moved in the transaction that puts or updates the membership.
  dynamodb: { locations: ['GetItem', 'UpdateItem'], memberships: ['GetItem', 'PutItem', 'UpdateItem'], users: ['GetItem'], audit: ['PutItem'] },
  summary: 'Add a provider user to a location, or make a member a manager or not: from their next request',
  request: { body: MemberChange },
  responses: {
    201: { description: 'added', schema: Member },
    200: { description: 'changed (or already so)', schema: Member },
    ...problems,
    404: { description: 'no such location, or no such user (invite them first)' },
    409: { description: 'not a provider user; the last manager cannot stop being one; or changed meanwhile' },
  },
}) satisfies RouteBody);

export const removeMemberRoute = /* @__PURE__ */ defineRoute('removeMember', () => ({
  handler: 'functions/members/remove.ts',
  access: ['provider', 'admin'],
  scope: 'location',
  managers: true,
  tables: { locations: 'RW', memberships: 'RW', audit: 'RW' },
  dynamodb: { locations: ['GetItem', 'UpdateItem'], memberships: ['GetItem', 'DeleteItem'], audit: ['PutItem'] },
  summary: 'Remove a member: refused from their next request. Never the last manager',
  responses: { 204: { description: 'removed' }, ...problems, 404: { description: 'no such location, or not a member' }, 409: { description: 'the last manager; or changed meanwhile' } },
}) satisfies RouteBody);

export const readAuditRoute = /* @__PURE__ */ defineRoute('readAudit', () => ({
  handler: 'functions/audit/list.ts',
  access: ['admin'],
  scope: 'none',
  tables: { audit: 'RO' },
  dynamodb: { audit: ['Query', 'Query:byActor', 'Query:byMonth'] },
  summary: 'Every change made to users, members, contacts, pauses and registrations: who, when, before and after; newest first',
  request: { query: AuditQuery },
  responses: { 200: { description: 'a page of changes', schema: AuditPage }, ...readProblems },
}) satisfies RouteBody);

export const getLocationContactRoute = /* @__PURE__ */ defineRoute('getLocationContact', () => ({
  handler: 'functions/contacts/get-location.ts',
  access: ['provider', 'admin'],
  scope: 'location',
  managers: true,
  tables: { locations: 'RO', contacts: 'RO', memberships: 'RO' },
  dynamodb: { locations: ['GetItem'], contacts: ['GetItem'], memberships: ['GetItem'] },
  summary: "Where a location's reminders go, and its phone number",
  responses: { 200: { description: 'the contact', schema: LocationContact }, ...problems },
}) satisfies RouteBody);

export const putLocationContactRoute = /* @__PURE__ */ defineRoute('putLocationContact', () => ({
  handler: 'functions/contacts/put-location.ts',
  access: ['provider', 'admin'],
  scope: 'location',
  managers: true,
  tables: { locations: 'RO', contacts: 'RW', memberships: 'RO', audit: 'RW' },
  dynamodb: { locations: ['GetItem'], contacts: ['GetItem', 'PutItem'], memberships: ['GetItem'], audit: ['PutItem'] },
  summary: "Set the 1-5 addresses a location's reminders go to (and its phone number)",
  request: { body: LocationContact },
  responses: { 200: { description: 'the contact as set', schema: LocationContact }, ...problems },
}) satisfies RouteBody);

export const getProviderContactRoute = /* @__PURE__ */ defineRoute('getProviderContact', () => ({
  handler: 'functions/contacts/get-provider.ts',
  access: ['admin'],
  scope: 'none',
  tables: { contacts: 'RO' },
  dynamodb: { contacts: ['GetItem'] },
  summary: "A provider's nominated contact (null before one is set)",
  responses: { 200: { description: 'the contact', schema: ProviderContactView }, ...readProblems },
}) satisfies RouteBody);

export const putProviderContactRoute = /* @__PURE__ */ defineRoute('putProviderContact', () => ({
  handler: 'functions/contacts/put-provider.ts',
  access: ['admin'],
  scope: 'none',
  tables: { contacts: 'RW', audit: 'RW' },
  dynamodb: { contacts: ['GetItem', 'PutItem'], audit: ['PutItem'] },
  summary: "Set a provider's nominated contact: escalations, digests, and locations no reminder reaches",
  request: { body: ProviderContact },
  responses: { 200: { description: 'the contact as set' }, 400: problems[400], 401: problems[401], 403: problems[403] },
}) satisfies RouteBody);

export const pauseLocationRoute = /* @__PURE__ */ defineRoute('pauseLocation', () => ({
  handler: 'functions/pauses/pause.ts',
  access: ['provider', 'admin'],
  scope: 'location',
  managers: true,
  tables: { locations: 'RW', memberships: 'RO', audit: 'RW' },
  dynamodb: { locations: ['GetItem', 'UpdateItem'], memberships: ['GetItem'], audit: ['PutItem'] },
  summary: 'Pause a location (closed for refurbishment, say): no reminders, not expected in completeness; resumes by itself on until',
  request: { body: PauseRequest },
  responses: { 200: { description: 'paused', schema: Pause }, ...problems, 409: { description: 'already paused, or not an active location' } },
}) satisfies RouteBody);

export const resumeLocationRoute = /* @__PURE__ */ defineRoute('resumeLocation', () => ({
  handler: 'functions/pauses/resume.ts',
  access: ['provider', 'admin'],
  scope: 'location',
  managers: true,
  tables: { locations: 'RW', memberships: 'RO', audit: 'RW' },
  dynamodb: { locations: ['GetItem', 'UpdateItem'], memberships: ['GetItem'], audit: ['PutItem'] },
  summary: 'Resume a paused location: reminders and completeness count it again',
  responses: { 204: { description: 'resumed' }, ...problems, 409: { description: 'not paused' } },
}) satisfies RouteBody);

export const unreachableReportRoute = /* @__PURE__ */ defineRoute('unreachableReport', () => ({
  handler: 'functions/reports/unreachable.ts',
  access: ['commissioner', 'admin'],
  scope: 'area',
  tables: { locations: 'RO', contacts: 'RO', areas: 'RO' },
  dynamodb: { locations: ['BatchGetItem', 'Query:listingByCountry', 'Query:listingByLocalAuthority', 'Query:listingByRegion'], contacts: ['BatchGetItem'], areas: ['Query'] },
  summary: 'Active, unpaused locations no reminder reaches (no address) or no one can update (no member), with their councils',
  request: { query: UnreachableQuery },
  responses: { 200: { description: 'the locations', schema: UnreachableReport }, ...readProblems },
}) satisfies RouteBody);
