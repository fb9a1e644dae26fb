/**
 * Exports: jobs of any size, and the CSV downloads. One constant per route, listed in `routes.ts`; a
 * function imports its own route's constant, so its bundle holds that definition and the schemas named
 * here, not the whole table.
 */
import { defineRoute } from '#shared/model/route-endpoints';
import { problems, exportTooLarge, readProblems, type RouteBody } from '#shared/model/route-definition';
import { AggregatesExportQuery } from '#shared/model/schemas/aggregates';
import { ExportJob, ExportRequest } from '#shared/model/schemas/exports';

export const createExportRoute = /* @__PURE__ */ defineRoute('createExport', () => ({
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
}) satisfies RouteBody);

export const getExportRoute = /* @__PURE__ */ defineRoute('getExport', () => ({
  handler: 'functions/exports/get.ts',
  access: ['commissioner', 'national'],
  scope: 'none',
  tables: { exports: 'RO' },
  dynamodb: { exports: ['GetItem'] },
  settings: ['EXPORTS_BUCKET'],
  exportsBucket: 'read',
  summary: 'An export job: its status, and when ready a short-lived link to the file',
  responses: { 200: { description: 'the job', schema: ExportJob }, 401: problems[401], 403: problems[403], 404: { description: 'no such export of yours' } },
}) satisfies RouteBody);

export const exportAggregatesRoute = /* @__PURE__ */ defineRoute('exportAggregates', () => ({
  handler: 'functions/exports/aggregates.ts',
  access: ['commissioner', 'national'],
  scope: 'area',
  tables: { aggregates: 'RO' },
  dynamodb: { aggregates: ['Query', 'Query:byLevel'] },
  summary: 'The daily aggregates as CSV, one row per area and day (gzip if accepted)',
  request: { query: AggregatesExportQuery },
  responses: { 200: { description: 'RFC 4180 CSV with a header row', mediaType: 'text/csv' }, ...readProblems, ...exportTooLarge },
}) satisfies RouteBody);

export const exportLocationsRoute = /* @__PURE__ */ defineRoute('exportLocations', () => ({
  handler: 'functions/exports/locations.ts',
  access: ['national'],
  scope: 'none',
  tables: { locations: 'RO' },
  dynamodb: { locations: ['BatchGetItem', 'Query:listingByCountry'] },
  summary: 'The latest return of every location, one row each, with lastUpdated and warnings',
  responses: { 200: { description: 'RFC 4180 CSV with a header row', mediaType: 'text/csv' }, 401: problems[401], 403: problems[403], 406: exportTooLarge[406] },
}) satisfies RouteBody);
