/**
 * A location's daily returns: reading them and their versions, writing one (a PUT, or "nothing has
 * changed"), many at once. One constant per route, listed in `routes.ts`; a function imports its own
 * route's constant, so its bundle holds that definition and the schemas named here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import { problems, IDEMPOTENCY_IN_PROGRESS, idempotencyProblems, IDEMPOTENCY_CALLS, type RouteBody } from '#shared/model/route-definition';
import { ConfirmInput, DailyReturnInput, ReturnHistoryQuery, StoredReturn } from '#shared/model/schemas/return';
import { BULK_MAX_BODY_BYTES, BulkTemplateQuery, BulkUploadJson, BulkUploadResult, MAX_BULK_ROWS } from '#shared/model/schemas/bulk';
import { BULK_COLUMNS } from '#shared/model/returns/bulk';
import { ReturnVersionList } from '#shared/model/schemas/return-versions';
import { ReturnPage } from '#shared/model/schemas/responses';

/** Writing a day's return, by PUT or by "nothing has changed": the same callers, the same tables. */
const returnWrite = {
  access: ['provider', 'admin'],
  scope: 'location',
  updateLink: true,
  tables: { locations: 'RW', returns: 'RW', returnVersions: 'RW', memberships: 'RO', users: 'RO', idempotency: 'RW' },
  // The location read for the write and updated in its transaction (read in one BatchGetItem with the
  // signed-in caller's user record, which the authorizer leaves to these routes, and a provider's
  // membership; for an update link, and on a retry after a lost race, by GetItem); the day and the one
  // before it read, the return put; the version record put (never updated, never deleted: each only if it
  // does not exist).
  dynamodb: {
    locations: ['GetItem', 'BatchGetItem', 'UpdateItem'],
    returns: ['Query', 'PutItem'],
    returnVersions: ['PutItem'],
    memberships: ['BatchGetItem'],
    users: ['BatchGetItem'],
    idempotency: IDEMPOTENCY_CALLS,
  },
} as const;

/** Both ways of writing a day's return answer with the stored return, and honour If-Match. */
const returnWriteResponses = (replaced: string) => ({
  200: { description: replaced, schema: StoredReturn },
  201: { description: 'first return for that day', schema: StoredReturn },
  ...problems,
  412: { description: 'If-Match named a version that is not the current one' },
  ...idempotencyProblems,
});

export const listReturnsRoute = /* @__PURE__ */ defineRoute('listReturns', () => ({
  handler: 'functions/returns/list.ts',
  access: ['provider', 'commissioner', 'national'],
  scope: 'location',
  tables: { locations: 'RO', returns: 'RO', memberships: 'RO' },
  dynamodb: { locations: ['GetItem'], returns: ['Query'], memberships: ['GetItem'] },
  summary: 'Daily returns of a location, newest first, paginated',
  request: { query: ReturnHistoryQuery },
  responses: { 200: { description: 'a page of returns', schema: ReturnPage }, ...problems },
}) satisfies RouteBody);

export const listReturnVersionsRoute = /* @__PURE__ */ defineRoute('listReturnVersions', () => ({
  handler: 'functions/returns/versions.ts',
  access: ['provider', 'commissioner', 'national', 'admin'],
  scope: 'location',
  tables: { locations: 'RO', returnVersions: 'RO', memberships: 'RO' },
  dynamodb: { locations: ['GetItem'], returnVersions: ['Query'], memberships: ['GetItem'] },
  summary: "Every stored version of a location's day, newest first, each with the answers it changed",
  responses: { 200: { description: 'the versions (none: an empty list)', schema: ReturnVersionList }, ...problems },
}) satisfies RouteBody);

export const putReturnRoute = /* @__PURE__ */ defineRoute('putReturn', () => ({
  handler: 'functions/returns/put.ts',
  ...returnWrite,
  summary: "Submit or correct a location's return for a day",
  request: { body: DailyReturnInput, ifMatch: true, idempotencyKey: true },
  responses: {
    ...returnWriteResponses('replaced: a correction, version went up by one'),
    409: { description: `the location is inactive; or ${IDEMPOTENCY_IN_PROGRESS}` },
    413: { description: 'body over 64 KiB' },
  },
}) satisfies RouteBody);

export const confirmReturnRoute = /* @__PURE__ */ defineRoute('confirmReturn', () => ({
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
}) satisfies RouteBody);

export const bulkReturnsRoute = /* @__PURE__ */ defineRoute('bulkReturns', () => ({
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
}) satisfies RouteBody);

export const bulkReturnsTemplateRoute = /* @__PURE__ */ defineRoute('bulkReturnsTemplate', () => ({
  handler: 'functions/returns/bulk-template.ts',
  access: ['provider', 'admin'],
  scope: 'none',
  tables: { locations: 'RO', returns: 'RO', memberships: 'RO' },
  dynamodb: { locations: ['BatchGetItem', 'Query:listingByCountry', 'Query:listingByLocalAuthority', 'Query:listingByRegion'], returns: ['Query'], memberships: ['Query'] },
  summary: "The CSV to fill in for a bulk upload: a row per active location of the caller's, for today, with its latest figures",
  request: { query: BulkTemplateQuery },
  responses: {
    200: { description: 'RFC 4180 CSV, UTF-8 with a byte order mark, CRLF, a header row', mediaType: 'text/csv' },
    400: { description: `a bad query; or more than ${MAX_BULK_ROWS} locations: ask for an area` },
    401: problems[401],
    403: problems[403],
  },
}) satisfies RouteBody);
