import * as z from 'zod';
import { AreaCode, CalendarDate, LocationId } from '#shared/model/schemas/common';
import { DailyReturnInput } from '#shared/model/schemas/return';

/** An upload carries at most this many rows (DESIGN §10.2); a longer one is a 400 at `rows` (or `items`). */
export const MAX_BULK_ROWS = 500;

/**
 * The bulk upload's body limit. 500 rows of CSV are 150–250 KB, of JSON about twice that; 1 MiB leaves
 * room for long notes, and stays far below the HTTP API's 10 MB payload cap.
 */
export const BULK_MAX_BODY_BYTES = 1024 * 1024;

/** One row of the JSON form: a location's day and its §5 body, exactly as the PUT takes it. */
export const BulkUploadItem = z
  .strictObject({ locationId: LocationId, reportDate: CalendarDate, return: DailyReturnInput })
  .meta({ id: 'BulkUploadItem' });

/**
 * The JSON form of `POST /v1/returns/bulk` (the CSV form has the template's columns). The upload checks
 * row by row so that errors name the row (`rows[3].beds.occupied`); this schema says the same thing at
 * once, for the OpenAPI document and for anyone who wants to check a body before sending it.
 */
export const BulkUploadJson = z
  .strictObject({ items: z.array(BulkUploadItem).max(MAX_BULK_ROWS, `must have at most ${MAX_BULK_ROWS} rows`) })
  .meta({ id: 'BulkUpload', description: `at most ${MAX_BULK_ROWS} rows; or send text/csv with the template's columns` });

/** Checked first, before each item is checked on its own (so an error names the row). */
export const BulkUploadEnvelope = z.strictObject({
  items: z.array(z.unknown()).max(MAX_BULK_ROWS, `must have at most ${MAX_BULK_ROWS} rows`),
});
export const BulkUploadItemShape = z.strictObject({ locationId: z.unknown(), reportDate: z.unknown(), return: z.unknown() });

/**
 * The warnings of a row as the bulk answer lists them: their codes, each once (`bedsAboveRegistered`).
 * The messages and paths are on the stored return (and in a PUT's answer); codes alone keep the answer of
 * 500 rows well inside what can be kept for an Idempotency-Key replay (a DynamoDB item holds 400 KB; with
 * every warning on every row, paths and messages would not fit).
 */
export const BulkRowWarnings = z.array(z.string()).meta({ id: 'BulkRowWarnings' });

export const BulkRowResult = z
  .object({
    row: z.int().min(0).describe('the row, counted from 0: the first data row of the CSV (or items[0]) is row 0'),
    locationId: LocationId,
    reportDate: CalendarDate,
    status: z
      .union([z.literal(201), z.literal(200), z.literal(204)])
      .describe('201: the first return for that day; 200: a correction (a new version); 204: a CSV row with no figures, skipped'),
    version: z.int().min(1).optional().describe('the stored version (not on a skipped row)'),
    warnings: BulkRowWarnings.optional().describe('the codes of the warnings stored with the return (only when there are some): implausible but possible values'),
  })
  .meta({ id: 'BulkRowResult' });
export type BulkRowResult = z.infer<typeof BulkRowResult>;

export const BulkUploadResult = z
  .object({ items: z.array(BulkRowResult).describe('one per row, in the order of the upload') })
  .meta({ id: 'BulkUploadResult' });
export type BulkUploadResult = z.infer<typeof BulkUploadResult>;

/** A row the upload did not write because it stopped part-way (listed in the problem's `notWritten`). */
export const BulkRowNotWritten = z.object({ row: z.int().min(0), locationId: LocationId, reportDate: CalendarDate });
export type BulkRowNotWritten = z.infer<typeof BulkRowNotWritten>;

export const BulkTemplateQuery = z.strictObject({
  area: AreaCode.optional().describe(
    "only the locations in this area; an admin's template without it lists the admin's own memberships (usually none)",
  ),
});
export type BulkTemplateQuery = z.infer<typeof BulkTemplateQuery>;
