/**
 * Area figures and finding a bed: aggregates, completeness, the areas, places and vacancies. One constant
 * per route, listed in `routes.ts`; a function imports its own route's constant, so its bundle holds that
 * definition and the schemas named here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import { readProblems, type RouteBody } from '#shared/model/route-definition';
import { VacancyPage, VacancySearchQuery } from '#shared/model/schemas/vacancies';
import { PlaceList, PlaceQuery } from '#shared/model/schemas/places';
import { AggregatePage, AggregatesQuery, CompletenessQuery, CompletenessResponse } from '#shared/model/schemas/aggregates';
import { AreaList, AreaListQuery } from '#shared/model/schemas/areas';

export const getAggregatesRoute = /* @__PURE__ */ defineRoute('getAggregates', () => ({
  handler: 'functions/aggregates/get.ts',
  access: ['commissioner', 'national'],
  scope: 'area',
  tables: { aggregates: 'RO' },
  dynamodb: { aggregates: ['Query', 'Query:byLevel'] },
  summary: 'Daily aggregates of an area (or every area of a level), oldest day first, paginated',
  request: { query: AggregatesQuery },
  responses: { 200: { description: 'a page of daily aggregates', schema: AggregatePage }, ...readProblems },
}) satisfies RouteBody);

export const getCompletenessRoute = /* @__PURE__ */ defineRoute('getCompleteness', () => ({
  handler: 'functions/completeness.ts',
  access: ['commissioner', 'national'],
  scope: 'area',
  // locations: who is up to date now; aggregates and areas: reporting per area and day over a range.
  tables: { locations: 'RO', aggregates: 'RO', areas: 'RO' },
  dynamodb: { locations: ['Query:activeByCountry', 'Query:activeByLocalAuthority', 'Query:activeByRegion'], aggregates: ['Query', 'Query:byLevel'], areas: ['Query'] },
  summary: 'Per area: active locations, updated within 24 h, within 48 h, and stale; with from/to, reporting per area and day',
  request: { query: CompletenessQuery },
  responses: { 200: { description: 'without from/to, one row per area; with them, one per area and day', schema: CompletenessResponse }, ...readProblems },
}) satisfies RouteBody);

export const findPlacesRoute = /* @__PURE__ */ defineRoute('findPlaces', () => ({
  handler: 'functions/places/find.ts',
  access: ['provider', 'discharge', 'commissioner', 'national', 'admin'],
  scope: 'none',
  tables: { places: 'RO' },
  dynamodb: { places: ['Query'] },
  summary: 'Postcode districts matching a town, an area or a district, for searching near a place (`near` on /v1/vacancies)',
  request: { query: PlaceQuery },
  responses: { 200: { description: 'the matching districts, best first', schema: PlaceList }, ...readProblems },
}) satisfies RouteBody);

export const listAreasRoute = /* @__PURE__ */ defineRoute('listAreas', () => ({
  handler: 'functions/areas/list.ts',
  access: ['provider', 'discharge', 'commissioner', 'national', 'admin'],
  scope: 'none',
  tables: { areas: 'RO' },
  dynamodb: { areas: ['Query'] },
  summary: 'Named areas of a level (councils and regions by default), optionally those inside a parent, sorted by name; not paginated',
  request: { query: AreaListQuery },
  responses: { 200: { description: 'every matching area', schema: AreaList }, ...readProblems },
}) satisfies RouteBody);

export const searchVacanciesRoute = /* @__PURE__ */ defineRoute('searchVacancies', () => ({
  handler: 'functions/vacancies.ts',
  access: ['discharge', 'commissioner', 'national'],
  scope: 'area',
  tables: { vacancyIndex: 'RO', places: 'RO', areas: 'RO', locations: 'RO' },
  // locations: with near and an area (a council or a region), the box around that area's homes (its
  // listing's keys, then the items).
  dynamodb: { vacancyIndex: ['Query'], places: ['GetItem'], areas: ['Query'], locations: ['BatchGetItem', 'Query:listingByLocalAuthority', 'Query:listingByRegion'] },
  summary: 'Locations with a matching vacancy now, freshest first (updated within 72 hours unless asked)',
  request: { query: VacancySearchQuery },
  responses: { 200: { description: 'a page of matching locations', schema: VacancyPage }, ...readProblems },
}) satisfies RouteBody);
