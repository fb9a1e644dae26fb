/**
 * Saved searches: a discharge team's searches that email when a bed newly matches, and the emails'
 * unsubscribe link. One constant per route, listed in `routes.ts`; a function imports its own route's
 * constant, so its bundle holds that definition and the schemas named here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import { problems, readProblems, type RouteBody } from '#shared/model/route-definition';
import { SavedSearch, SavedSearchList, SavedSearchRequest, UnsubscribeRequest, UnsubscribeResult } from '#shared/model/schemas/saved-searches';

export const createSavedSearchRoute = /* @__PURE__ */ defineRoute('createSavedSearch', () => ({
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
}) satisfies RouteBody);

export const listSavedSearchesRoute = /* @__PURE__ */ defineRoute('listSavedSearches', () => ({
  handler: 'functions/saved-searches/list.ts',
  access: ['discharge'],
  scope: 'none',
  tables: { savedSearches: 'RO' },
  dynamodb: { savedSearches: ['Query:byUser'] },
  summary: "The caller's saved searches, newest first",
  responses: { 200: { description: 'the saved searches', schema: SavedSearchList }, ...readProblems },
}) satisfies RouteBody);

export const deleteSavedSearchRoute = /* @__PURE__ */ defineRoute('deleteSavedSearch', () => ({
  handler: 'functions/saved-searches/delete.ts',
  access: ['discharge'],
  scope: 'none',
  tables: { savedSearches: 'RW' },
  dynamodb: { savedSearches: ['GetItem', 'Query', 'DeleteItem', 'UpdateItem', 'BatchWriteItem'] },
  summary: 'Delete one of the caller\'s saved searches (no more emails from it)',
  responses: { 204: { description: 'deleted' }, ...readProblems, 404: { description: 'no such saved search of the caller\'s' } },
}) satisfies RouteBody);

export const unsubscribeSavedSearchRoute = /* @__PURE__ */ defineRoute('unsubscribeSavedSearch', () => ({
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
}) satisfies RouteBody);
