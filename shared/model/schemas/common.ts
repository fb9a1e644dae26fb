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

/**
 * What free text taken through the API may not hold, because it reaches exports, emails and pages where it
 * could deceive a reader or break what reads it: control characters other than tab and newline (a
 * carriage return only as part of a CRLF line end, as spreadsheets write them), bidirectional controls
 * (U+202E and the like, which make text display in another order than it is stored: "Trojan Source"),
 * and unpaired surrogates (not text at all: no UTF-8 encoding exists for them). Ordinary text in any
 * language passes, emoji (paired surrogates) and joiners included.
 */
const FORBIDDEN_IN_TEXT: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /(?![\t\n]|\r\n)\p{Cc}/u, what: 'a control character (only tab and newline are allowed)' },
  { pattern: /\p{Bidi_Control}/u, what: 'a bidirectional control character' },
  { pattern: /\p{Cs}/u, what: 'an unpaired surrogate' },
];

/** The first character `text` may not hold (`FORBIDDEN_IN_TEXT`), as a message; undefined if none. */
export function unsafeTextProblem(text: string): string | undefined {
  for (const { pattern, what } of FORBIDDEN_IN_TEXT) {
    const match = pattern.exec(text);
    if (!match) continue;
    const codePoint = match[0].codePointAt(0)!;
    const position = [...text.slice(0, match.index)].length + 1;
    return `must not contain ${what}: U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at character ${position}`;
  }
  return undefined;
}

/**
 * Every free-text field the API takes (return notes, pause reasons, decision notes, email addresses, place
 * names and postcodes searched for, and the CSV cells of a bulk upload that are text): a 400 naming the
 * field for what `FORBIDDEN_IN_TEXT` lists. A string schema still, so `.trim()`, `.min()` and `.max()` follow.
 */
export const SafeText = z.string().superRefine((text, ctx) => {
  const problem = unsafeTextProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: text });
});

export const Instant = z.iso.datetime({ offset: false }).meta({ description: 'ISO 8601 instant in UTC' });

export const Role = z.enum(['provider', 'discharge', 'commissioner', 'national', 'admin']).meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;
