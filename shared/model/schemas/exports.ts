import * as z from 'zod';
import { AreaCode, CalendarDate, Instant } from '#shared/model/schemas/common';
import { AreaLevelParam } from '#shared/model/schemas/aggregates';

/** The exports bucket's objects live under this prefix: the lifecycle rule and the grants name it. */
export const EXPORT_OBJECT_PREFIX = 'exports/';
/** Export files and their jobs are kept this long (the bucket's lifecycle rule and the jobs' TTL). */
export const EXPORT_RETENTION_DAYS = 7;

/** Longest range one export may cover: three years of daily figures. */
export const MAX_EXPORT_DAYS = 3 * 366;

export const EXPORT_KINDS = ['returns', 'aggregates', 'completeness'] as const;
export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;

export const ExportRequest = z
  .strictObject({
    kind: z.enum(EXPORT_KINDS).describe('returns: one row per location and day; aggregates: one per area and day, zero rows included; completeness: reporting per area and day'),
    level: AreaLevelParam,
    area: AreaCode.optional().describe('one area of `level`; without it, every area of the level the caller may see'),
    from: CalendarDate,
    to: CalendarDate,
    format: z.enum(EXPORT_FORMATS),
    compression: z.enum(['none', 'gzip']).default('none').describe('gzip: the file is stored and served gzipped (`.csv.gz`, `.jsonl.gz`)'),
  })
  .superRefine((request, ctx) => {
    if (request.from > request.to) ctx.addIssue({ code: 'custom', path: ['from'], message: `must not be after to (${request.to})` });
    else if ((Date.parse(request.to) - Date.parse(request.from)) / 86_400_000 >= MAX_EXPORT_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `an export may cover at most ${MAX_EXPORT_DAYS} days (3 years)` });
    }
  })
  .meta({ id: 'ExportRequest' });
export type ExportRequest = z.infer<typeof ExportRequest>;

export const ExportStatus = z.enum(['pending', 'running', 'ready', 'failed']);
export type ExportStatus = z.infer<typeof ExportStatus>;

export const ExportJob = z
  .object({
    exportId: z.string(),
    status: ExportStatus.describe('pending until the worker starts, running while it writes, then ready or failed'),
    kind: z.enum(EXPORT_KINDS),
    level: AreaLevelParam,
    area: z.string().optional(),
    from: CalendarDate,
    to: CalendarDate,
    format: z.enum(EXPORT_FORMATS),
    compression: z.enum(['none', 'gzip']),
    createdAt: Instant,
    rows: z.int().optional().describe('rows written so far (while running) or in all (when ready)'),
    bytes: z.int().optional().describe('size of the file as stored'),
    url: z.url().optional().describe('a presigned link to the file, valid until expiresAt'),
    expiresAt: Instant.optional().describe('when the link stops working; ask again for a fresh one'),
    filename: z.string().optional(),
    error: z.string().optional().describe('why it failed'),
  })
  .meta({ id: 'ExportJob' });
export type ExportJob = z.infer<typeof ExportJob>;

export const ExportIdParam = z.string().regex(/^[0-9a-f-]{36}$/, 'must be an export id');

export const ExportJobParams = z.strictObject({ exportId: ExportIdParam });

/** What the route gives the worker (an asynchronous invocation's payload): the job is in the exports table. */
export const ExportWorkerEvent = z.strictObject({ exportId: ExportIdParam });
export type ExportWorkerEvent = z.infer<typeof ExportWorkerEvent>;
