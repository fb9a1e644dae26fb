import * as z from 'zod';
import { AreaCode, CalendarDate } from '#shared/model/schemas/common';

export const AreaLevelParam = z.enum(['localAuthority', 'region', 'england']).meta({ id: 'AreaLevel' });

/** Longest date range one request may cover: a year of daily figures. */
export const MAX_RANGE_DAYS = 366;

const dateRange = <T extends z.ZodRawShape>(shape: T) =>
  z
    .strictObject({ ...shape, from: CalendarDate.optional(), to: CalendarDate.optional() })
    .superRefine((query, ctx) => {
      const { from, to } = query as { from?: string; to?: string };
      if (from && to && from > to) ctx.addIssue({ code: 'custom', path: ['from'], message: `must not be after to (${to})` });
      if (from && to && (Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_RANGE_DAYS) {
        ctx.addIssue({ code: 'custom', path: ['from'], message: `the range may cover at most ${MAX_RANGE_DAYS} days` });
      }
    });

export const AggregatesQuery = dateRange({
  level: AreaLevelParam,
  area: AreaCode.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  nextToken: z.string().max(2048).optional(),
});

export const AggregatesExportQuery = dateRange({ level: AreaLevelParam, area: AreaCode.optional() });

/** Without dates: who is up to date now. With `from` or `to`: reporting per area and day over the range. */
export const CompletenessQuery = dateRange({ level: AreaLevelParam, area: AreaCode.optional(), nextToken: z.string().max(2048).optional() });

const count = z.int();
export const Aggregate = z
  .object({
    level: AreaLevelParam,
    area: z.string(),
    date: CalendarDate,
    locationsExpected: count.describe('active locations in the area when its first return of the day arrived'),
    locationsReporting: count,
    vacancies: z.record(z.string(), count).describe('vacant beds accepting admissions: total and per category'),
    bedsOccupied: count,
    bedsVacantReserved: count,
    bedsVacantNotAdmittable: count,
    locationsClosedToAdmissions: count,
    locationsInOutbreak: count,
    residentsConfirmed: count,
    staffEmployed: count,
    staffAbsent: count,
    staffAbsentCovid: count,
    locationsWithLowPpe: count.describe('locations with under 7 days of any PPE item'),
    returnsWithWarnings: count,
    locationsReportingOnTime: count.describe('locations whose return for the day was first stored within 24 hours of the day\'s end'),
  })
  .meta({ id: 'Aggregate' });
export const AggregatePage = z.object({ items: z.array(Aggregate), nextToken: z.string().nullable() }).meta({ id: 'AggregatePage' });

export const Completeness = z
  .object({
    level: AreaLevelParam,
    area: z.string(),
    locations: count.describe('active locations'),
    updatedWithin24h: count,
    updatedWithin48h: count,
    stale: count.describe('active locations not updated within 48 hours, or never'),
  })
  .meta({ id: 'Completeness' });
export const CompletenessPage = z.object({ items: z.array(Completeness) }).meta({ id: 'CompletenessPage' });

const share = z.number().min(0).nullable();
export const CompletenessDay = z
  .object({
    level: AreaLevelParam,
    area: z.string(),
    areaName: z.string().optional(),
    date: CalendarDate,
    locationsExpected: count.describe('active locations expected to report that day (carried from the nearest earlier day, or counted now, when nobody reported)'),
    locationsReporting: count,
    locationsReportingOnTime: count.describe("first reported within 24 hours of the day's end"),
    reportingShare: share.describe('locationsReporting / locationsExpected; null when none were expected'),
    onTimeShare: share.describe('locationsReportingOnTime / locationsExpected; null when none were expected'),
  })
  .meta({ id: 'CompletenessDay' });
export type CompletenessDay = z.infer<typeof CompletenessDay>;
export const CompletenessSeriesPage = z
  .object({ items: z.array(CompletenessDay), nextToken: z.string().nullable() })
  .meta({ id: 'CompletenessSeriesPage', description: 'one item per area and day, days nobody reported included; pages hold whole days' });

export const CompletenessResponse = z.union([CompletenessPage, CompletenessSeriesPage]);
