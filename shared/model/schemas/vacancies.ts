import * as z from 'zod';
import { AreaCode, CalendarDate, Instant } from '#shared/model/schemas/common';
import { VACANCY_CATEGORIES } from '#shared/model/schemas/location';
import { Vacancies } from '#shared/model/schemas/return';

export const VacancySearchQuery = z.strictObject({
  area: AreaCode.optional().describe('a local authority or region (England if none)'),
  category: z.enum([...VACANCY_CATEGORIES, 'any']).default('any'),
  sex: z.enum(['male', 'female']).optional().describe('only beds this person could take (their sex, or any)'),
  admitting: z.enum(['true', 'false']).default('false').describe('true: leave out locations closed to admissions'),
  updatedWithinHours: z.coerce.number().int().min(1).max(24 * 31).default(72),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});

export const VacancyResult = z
  .object({
    locationId: z.string(),
    name: z.string(),
    type: z.string(),
    localAuthority: z.string(),
    region: z.string(),
    lastUpdated: Instant,
    reportDate: CalendarDate,
    matching: z.object({ category: z.string(), total: z.int(), forMale: z.int(), forFemale: z.int() }).describe('the vacancies that match the search'),
    vacancies: Vacancies,
    admissions: z.object({ status: z.enum(['open', 'restricted', 'closed']) }),
    outbreakActive: z.boolean(),
  })
  .meta({ id: 'VacancyResult' });
export const VacancyPage = z.object({ items: z.array(VacancyResult), nextToken: z.string().nullable() }).meta({ id: 'VacancyPage' });
