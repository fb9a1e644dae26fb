import * as z from 'zod';
import { AreaCode, CalendarDate, Instant, SafeText } from '#shared/model/schemas/common';
import { LocationType, VACANCY_CATEGORIES } from '#shared/model/schemas/location';
import { Vacancies } from '#shared/model/schemas/return';

export const VacancySearchQuery = z
  .strictObject({
    area: AreaCode.optional().describe('a local authority or region (England if none); with near, only locations in it'),
    near: SafeText.max(10).optional().describe('a full UK postcode (OL8 1AB) or a postcode district (OL8): nearest first, then the fresher'),
    withinMiles: z.coerce.number().min(1).max(100).optional().describe('with near: how far (default 20)'),
    type: LocationType.optional().describe('only locations of this type'),
    category: z.enum([...VACANCY_CATEGORIES, 'any']).default('any'),
    sex: z.enum(['male', 'female']).optional().describe('only beds this person could take (their sex, or any)'),
    admitting: z.enum(['true', 'false']).default('false').describe('true: only locations open to admissions (not restricted, not closed)'),
    updatedWithinHours: z.coerce.number().int().min(1).max(24 * 31).default(72),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    nextToken: z.string().max(2048).optional(),
  })
  .superRefine((query, ctx) => {
    if (query.withinMiles !== undefined && query.near === undefined) ctx.addIssue({ code: 'custom', path: ['withinMiles'], message: 'goes with near: say near where' });
  });

export const VacancyResult = z
  .object({
    locationId: z.string(),
    name: z.string(),
    type: z.string(),
    localAuthority: z.string(),
    region: z.string(),
    localAuthorityName: z.string().nullable().describe("the council's name (null if the directory has no name for it)"),
    address: z.string().nullable(),
    postcode: z.string().nullable(),
    phone: z.string().nullable(),
    distanceMiles: z.number().optional().describe('with near: from the place searched, to a tenth of a mile'),
    lastUpdated: Instant,
    reportDate: CalendarDate,
    matching: z.object({ category: z.string(), total: z.int(), forMale: z.int(), forFemale: z.int() }).describe('the vacancies that match the search'),
    vacancies: Vacancies,
    admissions: z.object({ status: z.enum(['open', 'restricted', 'closed']) }),
    outbreakActive: z.boolean(),
  })
  .meta({ id: 'VacancyResult' });
export const VacancyPage = z.object({ items: z.array(VacancyResult), nextToken: z.string().nullable() }).meta({ id: 'VacancyPage' });
