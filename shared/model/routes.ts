/**
 * The route table: every HTTP route, the function that serves it and who may call it. The CDK app builds
 * the HTTP API and one Lambda per entry from it; the local gateway matches requests with it and calls the
 * same handler; the OpenAPI document is generated from it.
 */
import type { z } from 'zod';
import { Location, LocationListQuery } from '#shared/model/schemas/location';
import { ConfirmInput, DailyReturnInput, ReturnHistoryQuery, StoredReturn } from '#shared/model/schemas/return';
import type { Role } from '#shared/model/schemas/common';
import { VacancyPage, VacancySearchQuery } from '#shared/model/schemas/vacancies';
import { Registration, RegistrationDecision, RegistrationListQuery, RegistrationPage, RegistrationRequest } from '#shared/model/schemas/registrations';
import { LocationArea } from '#shared/model/schemas/location-area';
import { BULK_MAX_BODY_BYTES, BulkTemplateQuery, BulkUploadJson, BulkUploadResult, MAX_BULK_ROWS } from '#shared/model/schemas/bulk';
import { BULK_COLUMNS } from '#shared/model/returns/bulk';
import { ReturnVersionList } from '#shared/model/schemas/return-versions';
import { PlaceList, PlaceQuery } from '#shared/model/schemas/places';
import { AuditPage, AuditQuery, LocationContact, Pause, PauseRequest, ProviderContact, ProviderContactView, UnreachableQuery, UnreachableReport, Member, MemberChange, MemberList, User, UserChange, UserInvite, UserListQuery, UserPage } from '#shared/model/schemas/people';
import { AggregatePage, AggregatesExportQuery, AggregatesQuery, CompletenessQuery, CompletenessResponse } from '#shared/model/schemas/aggregates';
import { AreaList, AreaListQuery } from '#shared/model/schemas/areas';
import { ExportJob, ExportRequest } from '#shared/model/schemas/exports';
import { SavedSearch, SavedSearchList, SavedSearchRequest, UnsubscribeRequest, UnsubscribeResult } from '#shared/model/schemas/saved-searches';
import type { SettingName } from '#shared/model/settings';
import type { TableId } from '#shared/model/tables';

export type TableAccess = 'RO' | 'RW';
export type BucketAccess = 'read' | 'write';

/** The DynamoDB actions IAM checks a read against (a transaction's ConditionCheck parts: ConditionCheckItem). */
export const DYNAMODB_READ_ACTIONS = ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem'] as const;
/** ... and a write (a transaction's Put, Update and Delete parts are checked as PutItem, UpdateItem, DeleteItem). */
export const DYNAMODB_WRITE_ACTIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;
export type DynamoReadAction = (typeof DYNAMODB_READ_ACTIONS)[number];
export type DynamoWriteAction = (typeof DYNAMODB_WRITE_ACTIONS)[number];
/** A Query of one of the table's indexes (`Query:byDay`), granted on that index alone. */
export type DynamoIndexQuery = `Query:${string}`;
export type DynamoAction = DynamoReadAction | DynamoWriteAction | DynamoIndexQuery;
/**
 * The DynamoDB actions a function calls, table by table: exactly what IAM grants it (nothing else, never
 * Scan), so every table of `tables` is here with what its code asks of it, an RO table with reads alone.
 */
export type DynamoCalls = Partial<Record<TableId, readonly DynamoAction[]>>;

/** What Powertools idempotency's persistence layer calls on the idempotency table (the routes taking Idempotency-Key). */
export const IDEMPOTENCY_CALLS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] as const satisfies readonly DynamoAction[];
/** The functions a route may start in the background (`shared/model/functions.ts`). */
export type AsyncFunctionId = 'exportWorker';
import { LocationWithLatestReturn, LocationPage, ReturnPage, RevokedLinks } from '#shared/model/schemas/responses';

/** What the users routes ask of Cognito. */
export type UserPoolAction = 'AdminCreateUser' | 'AdminAddUserToGroup' | 'AdminRemoveUserFromGroup' | 'AdminUpdateUserAttributes' | 'AdminDisableUser' | 'AdminEnableUser' | 'AdminUserGlobalSignOut';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  id: string;
  method: HttpMethod;
  /** API Gateway route path, `{name}` for a path parameter. */
  path: string;
  /** Entry file of the Lambda, relative to the repository root; it exports `handler`. */
  handler: string;
  /** `public` routes carry no token; the rest need one of these roles (and the membership/area rule). */
  access: 'public' | readonly Role[];
  /**
   * What the route acts on, for the membership/area rule: `location` routes name one location in the
   * path (providers must be members, commissioners must cover its area); `listing` routes are scoped to
   * what the caller may see; `area` routes read area figures, scoped to the caller's areas by
   * `scopeAreaRequest`; `none` needs no more than the role.
   */
  scope: 'none' | 'location' | 'listing' | 'area';
  /**
   * A provider must be one of the location's managers, not just a member: checked with the other access
   * rules on a `location` route, by the service on a route that finds its location (a registration's).
   */
  managers?: true;
  /** The Cognito user pool actions it calls (in AWS; the local stack has no pool): granted on the pool, and no more. */
  userPool?: readonly UserPoolAction[];
  /** May an update link from a reminder email call it (for its own location only)? */
  updateLink?: boolean;
  /** Settings it reads besides its tables (`shared/model/settings.ts`): the unsubscribe route reads the link key. */
  settings?: readonly SettingName[];
  /** The tables the function touches and how: the CDK app tells it their names (and RO never writes). */
  tables: Partial<Record<TableId, TableAccess>>;
  /** The DynamoDB actions its code calls on each of those tables: what IAM grants it, and no more. */
  dynamodb: DynamoCalls;
  /** The exports bucket: `read` presigns links to its objects (s3:GetObject), `write` puts them. */
  exportsBucket?: BucketAccess;
  /** Functions it invokes asynchronously (lambda:InvokeFunction on them, and their names as settings). */
  invokes?: readonly AsyncFunctionId[];
  summary: string;
  /**
   * `idempotencyKey`: the route takes an optional `Idempotency-Key` header (a retry with the same key is
   * answered with the stored response and writes nothing); such a route binds the idempotency table RW.
   */
  request?: {
    body?: z.ZodType;
    /** The body may also be text/csv with these columns (a header row naming them). */
    csvColumns?: readonly string[];
    query?: z.ZodType;
    ifMatch?: boolean;
    idempotencyKey?: boolean;
    /** The body limit when not 64 KiB. */
    maxBodyBytes?: number;
  };
  responses: Record<number, { description: string; schema?: z.ZodType; mediaType?: 'text/csv' }>;
}

const problems = {
  400: { description: 'invalid input: problem+json with errors[].path' },
  401: { description: 'no valid token' },
  403: { description: 'not allowed for this caller' },
  404: { description: 'no such location' },
};

/** A CSV export bigger than a Lambda response can carry: uncompressed (ask for gzip), or even compressed. */
const exportTooLarge = {
  406: { description: 'too big to send uncompressed: ask with Accept-Encoding: gzip' },
  422: { description: 'too big even compressed: ask for a shorter range' },
};

/** What a read of area figures can answer besides its page: a bad query, no token, not allowed. */
const readProblems = { 400: problems[400], 401: problems[401], 403: problems[403] };

/** Writing a day's return, by PUT or by "nothing has changed": the same callers, the same tables. */
const returnWrite = {
  access: ['provider', 'admin'],
  scope: 'location',
  updateLink: true,
  tables: { locations: 'RW', returns: 'RW', returnVersions: 'RW', memberships: 'RO', idempotency: 'RW' },
  // The location read for the write and updated in its transaction; the day and the one before it read,
  // the return put; the version record put (never updated, never deleted: each only if it does not exist).
  dynamodb: {
    locations: ['GetItem', 'UpdateItem'],
    returns: ['Query', 'PutItem'],
    returnVersions: ['PutItem'],
    memberships: ['GetItem'],
    idempotency: IDEMPOTENCY_CALLS,
  },
} as const;

/** What a route taking `Idempotency-Key` can answer besides its own responses (IETF httpapi draft). */
const IDEMPOTENCY_IN_PROGRESS = 'a request with this Idempotency-Key is still being processed: retry after Retry-After seconds';
const idempotencyProblems = {
  422: { description: 'this Idempotency-Key was already used for a different request (body, path, method or If-Match); nothing was written' },
} as const;

/** Both ways of writing a day's return answer with the stored return, and honour If-Match. */
const returnWriteResponses = (replaced: string) => ({
  200: { description: replaced, schema: StoredReturn },
  201: { description: 'first return for that day', schema: StoredReturn },
  ...problems,
  412: { description: 'If-Match named a version that is not the current one' },
  ...idempotencyProblems,
});

export const routes = [
  {
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    handler: 'functions/health.ts',
    access: 'public',
    scope: 'none',
    tables: {},
    dynamodb: {},
    summary: 'Liveness',
    responses: { 200: { description: 'the service is up' } },
  },
  {
    id: 'openapi',
    method: 'GET',
    path: '/v1/openapi.json',
    handler: 'functions/openapi.ts',
    access: 'public',
    scope: 'none',
    tables: {},
    dynamodb: {},
    summary: 'The OpenAPI 3.1 document, generated from the schemas',
    responses: { 200: { description: 'OpenAPI document' } },
  },
  {
    id: 'listLocations',
    method: 'GET',
    path: '/v1/locations',
    handler: 'functions/locations/list.ts',
    access: ['provider', 'discharge', 'commissioner', 'national', 'admin'],
    scope: 'listing',
    tables: { locations: 'RO', memberships: 'RO' },
    dynamodb: { locations: ['BatchGetItem', 'Query:byCountry', 'Query:byLocalAuthority', 'Query:byRegion'], memberships: ['Query'] },
    summary: 'Directory entries with lastUpdated, filtered by area and type, paginated',
    request: { query: LocationListQuery },
    responses: { 200: { description: 'a page of locations', schema: LocationPage }, 400: problems[400], 401: problems[401] },
  },
  {
    id: 'getLocation',
    method: 'GET',
    path: '/v1/locations/{locationId}',
    handler: 'functions/locations/get.ts',
    access: ['provider', 'discharge', 'commissioner', 'national', 'admin'],
    scope: 'location',
    updateLink: true,
    tables: { locations: 'RO', returns: 'RO', memberships: 'RO' },
    dynamodb: { locations: ['GetItem'], returns: ['Query'], memberships: ['GetItem'] },
    summary: 'A directory entry and its latest return',
    responses: {
      200: { description: 'the location', schema: LocationWithLatestReturn },
      ...problems,
    },
  },
  {
    id: 'listReturns',
    method: 'GET',
    path: '/v1/locations/{locationId}/returns',
    handler: 'functions/returns/list.ts',
    access: ['provider', 'commissioner', 'national'],
    scope: 'location',
    tables: { locations: 'RO', returns: 'RO', memberships: 'RO' },
    dynamodb: { locations: ['GetItem'], returns: ['Query'], memberships: ['GetItem'] },
    summary: 'Daily returns of a location, newest first, paginated',
    request: { query: ReturnHistoryQuery },
    responses: { 200: { description: 'a page of returns', schema: ReturnPage }, ...problems },
  },
  {
    id: 'listReturnVersions',
    method: 'GET',
    path: '/v1/locations/{locationId}/returns/{reportDate}/versions',
    handler: 'functions/returns/versions.ts',
    access: ['provider', 'commissioner', 'national', 'admin'],
    scope: 'location',
    tables: { locations: 'RO', returnVersions: 'RO', memberships: 'RO' },
    dynamodb: { locations: ['GetItem'], returnVersions: ['Query'], memberships: ['GetItem'] },
    summary: "Every stored version of a location's day, newest first, each with the answers it changed",
    responses: { 200: { description: 'the versions (none: an empty list)', schema: ReturnVersionList }, ...problems },
  },
  {
    id: 'putReturn',
    method: 'PUT',
    path: '/v1/locations/{locationId}/returns/{reportDate}',
    handler: 'functions/returns/put.ts',
    ...returnWrite,
    summary: "Submit or correct a location's return for a day",
    request: { body: DailyReturnInput, ifMatch: true, idempotencyKey: true },
    responses: {
      ...returnWriteResponses('replaced: a correction, version went up by one'),
      409: { description: `the location is inactive; or ${IDEMPOTENCY_IN_PROGRESS}` },
      413: { description: 'body over 64 KiB' },
    },
  },
  {
    id: 'confirmReturn',
    method: 'POST',
    path: '/v1/locations/{locationId}/returns/{reportDate}/confirm',
    handler: 'functions/returns/confirm.ts',
    ...returnWrite,
    summary: '"Nothing has changed": store the latest figures as that day\'s return',
    request: { body: ConfirmInput, ifMatch: true, idempotencyKey: true },
    responses: {
      ...returnWriteResponses('replaced an existing return for that day'),
      409: {
        description: `the location is inactive or has no earlier return to repeat; or another return of the location was saved while this one was being recorded (nothing written; Retry-After, send again); or ${IDEMPOTENCY_IN_PROGRESS}`,
      },
    },
  },
  {
    id: 'bulkReturns',
    method: 'POST',
    path: '/v1/returns/bulk',
    handler: 'functions/returns/bulk.ts',
    access: ['provider', 'admin'],
    // Each row names a location: a provider must be a member of every one (checked by the upload, naming the row).
    scope: 'none',
    tables: { locations: 'RW', returns: 'RW', returnVersions: 'RW', memberships: 'RO', idempotency: 'RW' },
    dynamodb: { locations: ['GetItem', 'BatchGetItem', 'UpdateItem'], returns: ['Query', 'PutItem'], returnVersions: ['PutItem'], memberships: ['Query'], idempotency: IDEMPOTENCY_CALLS },
    summary: `Many days' returns at once: text/csv with the template's columns, or JSON; at most ${MAX_BULK_ROWS} rows, all checked before any is written`,
    request: { body: BulkUploadJson, csvColumns: BULK_COLUMNS, idempotencyKey: true, maxBodyBytes: BULK_MAX_BODY_BYTES },
    responses: {
      200: { description: 'every row written (or, a CSV row with no figures, skipped), one result per row in the order of the upload', schema: BulkUploadResult },
      400: { description: 'a row (or the file) is not valid: errors[].path names it, e.g. rows[12].vacancies.nursing.male; nothing written' },
      401: problems[401],
      403: { description: 'not allowed; or a row names a location the caller is not a member of (errors name the rows); nothing written' },
      404: { description: 'a row names a location not in the directory (errors name the rows); nothing written' },
      409: { description: `a row names an inactive location (errors name the rows), nothing written; or ${IDEMPOTENCY_IN_PROGRESS}` },
      413: { description: `body over ${BULK_MAX_BODY_BYTES / 1024 / 1024} MiB` },
      415: { description: 'neither text/csv (UTF-8) nor application/json' },
      ...idempotencyProblems,
      503: { description: 'the upload stopped part-way (busy, unreachable, or out of time): `written` and `notWritten` list the rows; send the rows not written again' },
    },
  },
  {
    id: 'bulkReturnsTemplate',
    method: 'GET',
    path: '/v1/returns/bulk/template.csv',
    handler: 'functions/returns/bulk-template.ts',
    access: ['provider', 'admin'],
    scope: 'none',
    tables: { locations: 'RO', returns: 'RO', memberships: 'RO' },
    dynamodb: { locations: ['BatchGetItem', 'Query:byCountry', 'Query:byLocalAuthority', 'Query:byRegion'], returns: ['Query'], memberships: ['Query'] },
    summary: "The CSV to fill in for a bulk upload: a row per active location of the caller's, for today, with its latest figures",
    request: { query: BulkTemplateQuery },
    responses: {
      200: { description: 'RFC 4180 CSV, UTF-8 with a byte order mark, CRLF, a header row', mediaType: 'text/csv' },
      400: { description: `a bad query; or more than ${MAX_BULK_ROWS} locations: ask for an area` },
      401: problems[401],
      403: problems[403],
    },
  },
  {
    id: 'revokeUpdateLinks',
    method: 'POST',
    path: '/v1/locations/{locationId}/update-links/revoke',
    handler: 'functions/update-links/revoke.ts',
    access: ['provider', 'admin'],
    scope: 'location',
    tables: { locations: 'RO', revocations: 'RW', memberships: 'RO' },
    dynamodb: { locations: ['GetItem'], revocations: ['PutItem'], memberships: ['GetItem'] },
    summary: 'Withdraw every update link issued so far for a location (a reminder email went astray)',
    responses: {
      200: { description: 'the links are withdrawn; links issued later work', schema: RevokedLinks },
      ...problems,
    },
  },
  {
    id: 'getAggregates',
    method: 'GET',
    path: '/v1/aggregates',
    handler: 'functions/aggregates/get.ts',
    access: ['commissioner', 'national'],
    scope: 'area',
    tables: { aggregates: 'RO' },
    dynamodb: { aggregates: ['Query', 'Query:byLevel'] },
    summary: 'Daily aggregates of an area (or every area of a level), oldest day first, paginated',
    request: { query: AggregatesQuery },
    responses: { 200: { description: 'a page of daily aggregates', schema: AggregatePage }, ...readProblems },
  },
  {
    id: 'createExport',
    method: 'POST',
    path: '/v1/exports',
    handler: 'functions/exports/create.ts',
    access: ['commissioner', 'national'],
    scope: 'area',
    // areas: an area that is not one of the level's is a 400 before a job is made.
    tables: { exports: 'RW', areas: 'RO' },
    dynamodb: { exports: ['PutItem'], areas: ['Query'] },
    settings: ['EXPORT_WORKER_FUNCTION'],
    invokes: ['exportWorker'],
    summary: 'Start an export of any size (returns, aggregates or completeness; CSV or JSON Lines): 202, then poll GET /v1/exports/{exportId}',
    request: { body: ExportRequest },
    responses: { 202: { description: 'the job, pending', schema: ExportJob }, ...readProblems },
  },
  {
    id: 'getExport',
    method: 'GET',
    path: '/v1/exports/{exportId}',
    handler: 'functions/exports/get.ts',
    access: ['commissioner', 'national'],
    scope: 'none',
    tables: { exports: 'RO' },
    dynamodb: { exports: ['GetItem'] },
    settings: ['EXPORTS_BUCKET'],
    exportsBucket: 'read',
    summary: 'An export job: its status, and when ready a short-lived link to the file',
    responses: { 200: { description: 'the job', schema: ExportJob }, 401: problems[401], 403: problems[403], 404: { description: 'no such export of yours' } },
  },
  {
    id: 'exportAggregates',
    method: 'GET',
    path: '/v1/exports/aggregates.csv',
    handler: 'functions/exports/aggregates.ts',
    access: ['commissioner', 'national'],
    scope: 'area',
    tables: { aggregates: 'RO' },
    dynamodb: { aggregates: ['Query', 'Query:byLevel'] },
    summary: 'The daily aggregates as CSV, one row per area and day (gzip if accepted)',
    request: { query: AggregatesExportQuery },
    responses: { 200: { description: 'RFC 4180 CSV with a header row', mediaType: 'text/csv' }, ...readProblems, ...exportTooLarge },
  },
  {
    id: 'exportLocations',
    method: 'GET',
    path: '/v1/exports/locations.csv',
    handler: 'functions/exports/locations.ts',
    access: ['national'],
    scope: 'none',
    tables: { locations: 'RO' },
    dynamodb: { locations: ['Query:byCountry'] },
    summary: 'The latest return of every location, one row each, with lastUpdated and warnings',
    responses: { 200: { description: 'RFC 4180 CSV with a header row', mediaType: 'text/csv' }, 401: problems[401], 403: problems[403], 406: exportTooLarge[406] },
  },
  {
    id: 'getCompleteness',
    method: 'GET',
    path: '/v1/completeness',
    handler: 'functions/completeness.ts',
    access: ['commissioner', 'national'],
    scope: 'area',
    // locations: who is up to date now; aggregates and areas: reporting per area and day over a range.
    tables: { locations: 'RO', aggregates: 'RO', areas: 'RO' },
    dynamodb: { locations: ['Query:activeByCountry', 'Query:activeByLocalAuthority', 'Query:activeByRegion'], aggregates: ['Query', 'Query:byLevel'], areas: ['Query'] },
    summary: 'Per area: active locations, updated within 24 h, within 48 h, and stale; with from/to, reporting per area and day',
    request: { query: CompletenessQuery },
    responses: { 200: { description: 'without from/to, one row per area; with them, one per area and day', schema: CompletenessResponse }, ...readProblems },
  },
  {
    id: 'findPlaces',
    method: 'GET',
    path: '/v1/places',
    handler: 'functions/places/find.ts',
    access: ['provider', 'discharge', 'commissioner', 'national', 'admin'],
    scope: 'none',
    tables: { places: 'RO' },
    dynamodb: { places: ['Query'] },
    summary: 'Postcode districts matching a town, an area or a district, for searching near a place (`near` on /v1/vacancies)',
    request: { query: PlaceQuery },
    responses: { 200: { description: 'the matching districts, best first', schema: PlaceList }, ...readProblems },
  },
  {
    id: 'listAreas',
    method: 'GET',
    path: '/v1/areas',
    handler: 'functions/areas/list.ts',
    access: ['provider', 'discharge', 'commissioner', 'national', 'admin'],
    scope: 'none',
    tables: { areas: 'RO' },
    dynamodb: { areas: ['Query'] },
    summary: 'Named areas of a level (councils and regions by default), optionally those inside a parent, sorted by name; not paginated',
    request: { query: AreaListQuery },
    responses: { 200: { description: 'every matching area', schema: AreaList }, ...readProblems },
  },
  {
    id: 'searchVacancies',
    method: 'GET',
    path: '/v1/vacancies',
    handler: 'functions/vacancies.ts',
    access: ['discharge', 'commissioner', 'national'],
    scope: 'area',
    tables: { vacancyIndex: 'RO', places: 'RO', areas: 'RO', locations: 'RO' },
    // locations: with near and an area (a council or a region), the box around that area's homes.
    dynamodb: { vacancyIndex: ['Query'], places: ['GetItem'], areas: ['Query'], locations: ['Query:byLocalAuthority', 'Query:byRegion'] },
    summary: 'Locations with a matching vacancy now, freshest first (updated within 72 hours unless asked)',
    request: { query: VacancySearchQuery },
    responses: { 200: { description: 'a page of matching locations', schema: VacancyPage }, ...readProblems },
  },
  {
    id: 'listUsers',
    method: 'GET',
    path: '/v1/users',
    handler: 'functions/users/list.ts',
    access: ['admin'],
    scope: 'none',
    tables: { users: 'RO', memberships: 'RO' },
    dynamodb: { users: ['BatchGetItem', 'Query:byKind'], memberships: ['Query:byLocation'] },
    summary: "Users by email, of a role, or a location's members",
    request: { query: UserListQuery },
    responses: { 200: { description: 'a page of users', schema: UserPage }, ...readProblems },
  },
  {
    id: 'inviteUser',
    method: 'POST',
    path: '/v1/users',
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
  },
  {
    id: 'changeUser',
    method: 'PATCH',
    path: '/v1/users/{userId}',
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
  },
  {
    id: 'listMembers',
    method: 'GET',
    path: '/v1/locations/{locationId}/members',
    handler: 'functions/members/list.ts',
    access: ['provider', 'admin'],
    scope: 'location',
    managers: true,
    tables: { locations: 'RO', memberships: 'RO', users: 'RO' },
    dynamodb: { locations: ['GetItem'], memberships: ['GetItem', 'Query:byLocation'], users: ['BatchGetItem'] },
    summary: "A location's members (managers first), with their email addresses",
    responses: { 200: { description: 'the members', schema: MemberList }, ...problems },
  },
  {
    id: 'putMember',
    method: 'PUT',
    path: '/v1/locations/{locationId}/members/{userId}',
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
  },
  {
    id: 'removeMember',
    method: 'DELETE',
    path: '/v1/locations/{locationId}/members/{userId}',
    handler: 'functions/members/remove.ts',
    access: ['provider', 'admin'],
    scope: 'location',
    managers: true,
    tables: { locations: 'RW', memberships: 'RW', audit: 'RW' },
    dynamodb: { locations: ['GetItem', 'UpdateItem'], memberships: ['GetItem', 'DeleteItem'], audit: ['PutItem'] },
    summary: 'Remove a member: refused from their next request. Never the last manager',
    responses: { 204: { description: 'removed' }, ...problems, 404: { description: 'no such location, or not a member' }, 409: { description: 'the last manager; or changed meanwhile' } },
  },
  {
    id: 'readAudit',
    method: 'GET',
    path: '/v1/audit',
    handler: 'functions/audit/list.ts',
    access: ['admin'],
    scope: 'none',
    tables: { audit: 'RO' },
    dynamodb: { audit: ['Query', 'Query:byActor', 'Query:byMonth'] },
    summary: 'Every change made to users, members, contacts, pauses and registrations: who, when, before and after; newest first',
    request: { query: AuditQuery },
    responses: { 200: { description: 'a page of changes', schema: AuditPage }, ...readProblems },
  },
  {
    id: 'getLocationContact',
    method: 'GET',
    path: '/v1/locations/{locationId}/contact',
    handler: 'functions/contacts/get-location.ts',
    access: ['provider', 'admin'],
    scope: 'location',
    managers: true,
    tables: { locations: 'RO', contacts: 'RO', memberships: 'RO' },
    dynamodb: { locations: ['GetItem'], contacts: ['GetItem'], memberships: ['GetItem'] },
    summary: "Where a location's reminders go, and its phone number",
    responses: { 200: { description: 'the contact', schema: LocationContact }, ...problems },
  },
  {
    id: 'putLocationContact',
    method: 'PUT',
    path: '/v1/locations/{locationId}/contact',
    handler: 'functions/contacts/put-location.ts',
    access: ['provider', 'admin'],
    scope: 'location',
    managers: true,
    tables: { locations: 'RO', contacts: 'RW', memberships: 'RO', audit: 'RW' },
    dynamodb: { locations: ['GetItem'], contacts: ['GetItem', 'PutItem'], memberships: ['GetItem'], audit: ['PutItem'] },
    summary: "Set the 1-5 addresses a location's reminders go to (and its phone number)",
    request: { body: LocationContact },
    responses: { 200: { description: 'the contact as set', schema: LocationContact }, ...problems },
  },
  {
    id: 'getProviderContact',
    method: 'GET',
    path: '/v1/providers/{providerId}/contact',
    handler: 'functions/contacts/get-provider.ts',
    access: ['admin'],
    scope: 'none',
    tables: { contacts: 'RO' },
    dynamodb: { contacts: ['GetItem'] },
    summary: "A provider's nominated contact (null before one is set)",
    responses: { 200: { description: 'the contact', schema: ProviderContactView }, ...readProblems },
  },
  {
    id: 'putProviderContact',
    method: 'PUT',
    path: '/v1/providers/{providerId}/contact',
    handler: 'functions/contacts/put-provider.ts',
    access: ['admin'],
    scope: 'none',
    tables: { contacts: 'RW', audit: 'RW' },
    dynamodb: { contacts: ['GetItem', 'PutItem'], audit: ['PutItem'] },
    summary: "Set a provider's nominated contact: escalations, digests, and locations no reminder reaches",
    request: { body: ProviderContact },
    responses: { 200: { description: 'the contact as set' }, 400: problems[400], 401: problems[401], 403: problems[403] },
  },
  {
    id: 'pauseLocation',
    method: 'POST',
    path: '/v1/locations/{locationId}/pause',
    handler: 'functions/pauses/pause.ts',
    access: ['provider', 'admin'],
    scope: 'location',
    managers: true,
    tables: { locations: 'RW', memberships: 'RO', audit: 'RW' },
    dynamodb: { locations: ['GetItem', 'UpdateItem'], memberships: ['GetItem'], audit: ['PutItem'] },
    summary: 'Pause a location (closed for refurbishment, say): no reminders, not expected in completeness; resumes by itself on until',
    request: { body: PauseRequest },
    responses: { 200: { description: 'paused', schema: Pause }, ...problems, 409: { description: 'already paused, or not an active location' } },
  },
  {
    id: 'resumeLocation',
    method: 'POST',
    path: '/v1/locations/{locationId}/resume',
    handler: 'functions/pauses/resume.ts',
    access: ['provider', 'admin'],
    scope: 'location',
    managers: true,
    tables: { locations: 'RW', memberships: 'RO', audit: 'RW' },
    dynamodb: { locations: ['GetItem', 'UpdateItem'], memberships: ['GetItem'], audit: ['PutItem'] },
    summary: 'Resume a paused location: reminders and completeness count it again',
    responses: { 204: { description: 'resumed' }, ...problems, 409: { description: 'not paused' } },
  },
  {
    id: 'unreachableReport',
    method: 'GET',
    path: '/v1/reports/unreachable',
    handler: 'functions/reports/unreachable.ts',
    access: ['commissioner', 'admin'],
    scope: 'area',
    tables: { locations: 'RO', contacts: 'RO', areas: 'RO' },
    dynamodb: { locations: ['Query:byCountry', 'Query:byLocalAuthority', 'Query:byRegion'], contacts: ['BatchGetItem'], areas: ['Query'] },
    summary: 'Active, unpaused locations no reminder reaches (no address) or no one can update (no member), with their councils',
    request: { query: UnreachableQuery },
    responses: { 200: { description: 'the locations', schema: UnreachableReport }, ...readProblems },
  },
  {
    id: 'register',
    method: 'POST',
    path: '/v1/registrations',
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
  },
  {
    id: 'listRegistrations',
    method: 'GET',
    path: '/v1/registrations',
    handler: 'functions/registrations/list.ts',
    access: ['admin', 'provider'],
    scope: 'none',
    tables: { registrations: 'RO', memberships: 'RO' },
    dynamodb: { registrations: ['Query:byLocation', 'Query:byStatus', 'Query:byUser'], memberships: ['GetItem'] },
    summary: "Registrations: for an admin the queue by status (pending by default, oldest first) or one location's; for a manager their location's (locationId); for any other provider user their own, newest first",
    request: { query: RegistrationListQuery },
    responses: { 200: { description: 'a page of registrations', schema: RegistrationPage }, ...readProblems },
  },
  {
    id: 'approveRegistration',
    method: 'POST',
    path: '/v1/registrations/{registrationId}/approve',
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
  },
  {
    id: 'rejectRegistration',
    method: 'POST',
    path: '/v1/registrations/{registrationId}/reject',
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
  },
  {
    id: 'getLocationArea',
    method: 'GET',
    path: '/v1/locations/{locationId}/area',
    handler: 'functions/locations/area.ts',
    access: ['provider', 'commissioner', 'national', 'admin'],
    scope: 'location',
    updateLink: true,
    tables: { locations: 'RO', aggregates: 'RO', memberships: 'RO' },
    dynamodb: { locations: ['GetItem'], aggregates: ['Query'], memberships: ['GetItem'] },
    summary: "The location's local authority today and yesterday: homes updated, occupancy, vacancies (for the form)",
    responses: { 200: { description: "the area's figures", schema: LocationArea }, ...problems },
  },
  {
    id: 'createSavedSearch',
    method: 'POST',
    path: '/v1/saved-searches',
    handler: 'functions/saved-searches/create.ts',
    access: ['discharge'],
    scope: 'none',
    tables: { savedSearches: 'RW', places: 'RO' },
    dynamodb: { savedSearches: ['PutItem', 'UpdateItem'], places: ['GetItem'] },
    summary: 'Save a search near a place: an email to the address given when a location newly matches it (at most one per location a day); at most 20 per user',
    request: { body: SavedSearchRequest },
    responses: {
      201: { description: 'saved, with the centre of the district `near` was placed in', schema: SavedSearch },
      400: problems[400],
      401: problems[401],
      403: problems[403],
      409: { description: 'the caller already has 20 saved searches' },
    },
  },
  {
    id: 'listSavedSearches',
    method: 'GET',
    path: '/v1/saved-searches',
    handler: 'functions/saved-searches/list.ts',
    access: ['discharge'],
    scope: 'none',
    tables: { savedSearches: 'RO' },
    dynamodb: { savedSearches: ['Query:byUser'] },
    summary: "The caller's saved searches, newest first",
    responses: { 200: { description: 'the saved searches', schema: SavedSearchList }, ...readProblems },
  },
  {
    id: 'deleteSavedSearch',
    method: 'DELETE',
    path: '/v1/saved-searches/{searchId}',
    handler: 'functions/saved-searches/delete.ts',
    access: ['discharge'],
    scope: 'none',
    tables: { savedSearches: 'RW' },
    dynamodb: { savedSearches: ['GetItem', 'Query', 'DeleteItem', 'UpdateItem', 'BatchWriteItem'] },
    summary: 'Delete one of the caller\'s saved searches (no more emails from it)',
    responses: { 204: { description: 'deleted' }, ...readProblems, 404: { description: 'no such saved search of the caller\'s' } },
  },
  {
    id: 'unsubscribeSavedSearch',
    method: 'POST',
    path: '/v1/saved-searches/unsubscribe',
    handler: 'functions/saved-searches/unsubscribe.ts',
    access: 'public',
    scope: 'none',
    tables: { savedSearches: 'RW' },
    dynamodb: { savedSearches: ['GetItem', 'Query', 'DeleteItem', 'UpdateItem', 'BatchWriteItem'] },
    settings: ['UPDATE_LINK_SECRET_ARN'],
    summary: "An email's unsubscribe link, without signing in: deletes the saved search its token names (signed like update links, but only ever an unsubscribe token)",
    request: { body: UnsubscribeRequest },
    responses: {
      200: { description: 'deleted, or already deleted (status says which)', schema: UnsubscribeResult },
      400: problems[400],
      401: { description: 'not a token we issued for unsubscribing, or expired' },
    },
  },
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof routes)[number]['id'];

export function routeById(id: RouteId): RouteDefinition {
  const route = routes.find((r) => r.id === id);
  if (!route) throw new Error(`no route ${id}`);
  return route;
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
const compiled = routes
  .map((route) => ({ route: route as RouteDefinition, match: compilePath(route.path), rank: specificity(route.path) }))
  .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));

export type RouteMatch =
  | { kind: 'matched'; route: RouteDefinition; pathParameters: Record<string, string> }
  | { kind: 'wrongMethod'; allowed: HttpMethod[] }
  | { kind: 'none' };

export function matchRoute(method: string, rawPath: string): RouteMatch {
  const allowed: HttpMethod[] = [];
  for (const { route, match } of compiled) {
    const params = match(rawPath);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { kind: 'matched', route, pathParameters: params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'wrongMethod', allowed } : { kind: 'none' };
}
