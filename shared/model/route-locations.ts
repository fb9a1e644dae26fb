/**
 * The directory's routes: listing and reading locations, a location's area at a glance, withdrawing a
 * location's update links. One constant per route, listed in `routes.ts`; a function imports its own
 * route's constant, so its bundle holds that definition and the schemas named here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import { problems, type RouteBody } from '#shared/model/route-definition';
import { LocationListQuery } from '#shared/model/schemas/location';
import { LocationArea } from '#shared/model/schemas/location-area';
import { LocationWithLatestReturn, LocationPage, RevokedLinks } from '#shared/model/schemas/responses';

export const listLocationsRoute = /* @__PURE__ */ defineRoute('listLocations', () => ({
  handler: 'functions/locations/list.ts',
  access: ['provider', 'discharge', 'commissioner', 'national', 'admin'],
  scope: 'listing',
  tables: { locations: 'RO', memberships: 'RO' },
  dynamodb: { locations: ['BatchGetItem', 'Query:listingByCountry', 'Query:listingByLocalAuthority', 'Query:listingByRegion'], memberships: ['Query'] },
  summary: 'Directory entries with lastUpdated, filtered by area and type, paginated',
  request: { query: LocationListQuery },
  responses: { 200: { description: 'a page of locations', schema: LocationPage }, 400: problems[400], 401: problems[401] },
}) satisfies RouteBody);

export const getLocationRoute = /* @__PURE__ */ defineRoute('getLocation', () => ({
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
}) satisfies RouteBody);

export const getLocationAreaRoute = /* @__PURE__ */ defineRoute('getLocationArea', () => ({
  handler: 'functions/locations/area.ts',
  access: ['provider', 'commissioner', 'national', 'admin'],
  scope: 'location',
  updateLink: true,
  tables: { locations: 'RO', aggregates: 'RO', memberships: 'RO' },
  dynamodb: { locations: ['GetItem'], aggregates: ['Query'], memberships: ['GetItem'] },
  summary: "The location's local authority today and yesterday: homes updated, occupancy, vacancies (for the form)",
  responses: { 200: { description: "the area's figures", schema: LocationArea }, ...problems },
}) satisfies RouteBody);

export const revokeUpdateLinksRoute = /* @__PURE__ */ defineRoute('revokeUpdateLinks', () => ({
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
}) satisfies RouteBody);
