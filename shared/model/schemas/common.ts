import * as z from 'zod';

// Clients show these messages beside form fields: say "is required" rather than zod's type jargon.
z.config({
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
});

/** CQC location and provider IDs share one form, e.g. `1-109570155`. */
export const CqcId = z.string().regex(/^1-[0-9]{6,11}$/, 'must be a CQC ID such as 1-109570155');
export const LocationId = CqcId.meta({ id: 'LocationId', description: 'CQC location ID' });
export const ProviderId = CqcId.meta({ id: 'ProviderId', description: 'CQC provider ID' });

/** A council with adult social care responsibility: unitary E06, metropolitan district E08, London borough E09, county E10. */
export const LOCAL_AUTHORITY_PATTERN = /^E(0[689]|10)[0-9]{6}$/;
/** A district of a two-tier county (E07): not an aggregate area, but kept as a location's `district`. */
export const TWO_TIER_DISTRICT_PATTERN = /^E07[0-9]{6}$/;
export const REGION_PATTERN = /^E1200000[1-9]$/;
export const ENGLAND = 'E92000001';

export const LocalAuthorityCode = z
  .string()
  .regex(LOCAL_AUTHORITY_PATTERN, 'must be the ONS code of a council with adult social care responsibility (E06, E08, E09 or E10 and 6 digits; a two-tier district, E07, is counted in its county)');
/** The district a location is in: its two-tier district (E07), or its council where that is the district. */
export const DistrictCode = z.string().regex(/^E0[6-9][0-9]{6}$/, 'must be an ONS local authority district code (E06/E07/E08/E09 and 6 digits)');
export const RegionCode = z.string().regex(REGION_PATTERN, 'must be an ONS region code (E12000001..E12000009)');
export const AreaCode = z
  .union([LocalAuthorityCode, RegionCode, z.literal(ENGLAND)], {
    error: 'must be an ONS local authority, region or England (E92000001) code',
  })
  .meta({ id: 'AreaCode' });
export type AreaCode = z.infer<typeof AreaCode>;

export type AreaLevel = 'localAuthority' | 'region' | 'england';
export function areaLevelOf(code: string): AreaLevel | undefined {
  if (LOCAL_AUTHORITY_PATTERN.test(code)) return 'localAuthority';
  if (REGION_PATTERN.test(code)) return 'region';
  if (code === ENGLAND) return 'england';
  return undefined;
}

/** A real calendar day written YYYY-MM-DD (rejects 2026-02-30). */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'is not a real calendar date')
  .meta({ id: 'CalendarDate', format: 'date' });

export const Instant = z.iso.datetime({ offset: false }).meta({ description: 'ISO 8601 instant in UTC' });

export const Role = z.enum(['provider', 'discharge', 'commissioner', 'national', 'admin']).meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;
