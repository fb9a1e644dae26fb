import * as z from 'zod';
import { AreaCode, CalendarDate, Instant, LocalAuthorityCode, DistrictCode, LocationId, ProviderId, RegionCode } from '#shared/model/schemas/common';

export const LOCATION_TYPES = ['careHome', 'hospice', 'communityRehab', 'substanceMisuse'] as const;
export const LocationType = z.enum(LOCATION_TYPES).meta({ id: 'LocationType' });
export type LocationType = z.infer<typeof LocationType>;

/** Categories a care home may report; every other location type reports `inpatient` beds. */
export const CARE_HOME_CATEGORIES = [
  'residential',
  'nursing',
  'dementiaResidential',
  'dementiaNursing',
  'mentalHealth',
  'learningDisability',
] as const;
export const INPATIENT_CATEGORY = 'inpatient';
export const VACANCY_CATEGORIES = [...CARE_HOME_CATEGORIES, INPATIENT_CATEGORY] as const;
export const VacancyCategory = z.enum(VACANCY_CATEGORIES).meta({ id: 'VacancyCategory' });
export type VacancyCategory = z.infer<typeof VacancyCategory>;

export function categoriesAllowedFor(type: LocationType): readonly VacancyCategory[] {
  return type === 'careHome' ? CARE_HOME_CATEGORIES : [INPATIENT_CATEGORY];
}

export const Location = z
  .object({
    locationId: LocationId,
    providerId: ProviderId,
    name: z.string().min(1).max(200),
    type: LocationType,
    categories: z.array(VacancyCategory).min(1).describe('vacancy categories this location may report'),
    registeredBeds: z.int().min(0).max(10_000),
    localAuthority: LocalAuthorityCode.describe('the council with adult social care responsibility (unitary, metropolitan district, London borough or county)'),
    district: DistrictCode.optional().describe('the two-tier district inside a county (E07), or the council where it is its own district'),
    region: RegionCode,
    active: z.boolean(),
    lastUpdated: Instant.nullable().describe('when the latest return was submitted, null if never'),
    address: z.string().min(1).max(300).optional().describe('the postal address without the postcode: its lines, town and county joined with ", "'),
    postcode: z.string().max(10).optional(),
    phone: z.string().min(1).max(30).optional().describe('the main phone number, as the CQC gives it'),
    latitude: z.number().min(-90).max(90).optional().describe('latitude (WGS84) of its postcode, from the CQC record'),
    longitude: z.number().min(-180).max(180).optional().describe('longitude (WGS84) of its postcode, from the CQC record'),
    pause: z
      .object({ reason: z.string(), since: Instant, until: CalendarDate.optional(), by: z.string() })
      .optional()
      .describe('paused (closed for refurbishment, say): no reminders, not expected in completeness; resumes by itself on until'),
  })
  .superRefine((location, ctx) => {
    const allowed = categoriesAllowedFor(location.type);
    location.categories.forEach((category, index) => {
      if (!allowed.includes(category)) {
        ctx.addIssue({
          code: 'custom',
          path: ['categories', index],
          message: `a ${location.type} location cannot report ${category} beds`,
        });
      }
    });
  })
  .meta({ id: 'Location' });
export type Location = z.infer<typeof Location>;

export const LocationListQuery = z.strictObject({
  area: AreaCode.optional(),
  type: LocationType.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});

/** A location as the directory holds it: the API shape plus the inbox reminders go to (not shown by the API). */
export type DirectoryEntry = Location & { contactEmail?: string; newestReportDate?: string };
