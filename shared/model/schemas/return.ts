import * as z from 'zod';
import { CalendarDate, Instant, LocationId, SafeText } from '#shared/model/schemas/common';
import { CARE_HOME_CATEGORIES, INPATIENT_CATEGORY } from '#shared/model/schemas/location';

/** Bumped whenever the questions change, so trends can be read across a change of questions. */
export const RETURN_SCHEMA_VERSION = 1;

export const MAX_COUNT = 10_000;
const wholeNumber = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : 'must be a whole number') };
const count = z.int(wholeNumber).min(0, 'must be 0 or more').max(MAX_COUNT, `must be at most ${MAX_COUNT}`);
const daysOfSupply = z.int(wholeNumber).min(0, 'must be 0 or more').max(365, 'must be at most 365');

export const VacanciesBySex = z
  .strictObject({ male: count, female: count, any: count })
  .meta({ id: 'VacanciesBySex', description: 'vacant beds accepting admissions, by who the bed can take' });

const vacancyShape = Object.fromEntries(
  [...CARE_HOME_CATEGORIES, INPATIENT_CATEGORY].map((category) => [category, VacanciesBySex.optional()]),
) as Record<(typeof CARE_HOME_CATEGORIES)[number] | typeof INPATIENT_CATEGORY, z.ZodOptional<typeof VacanciesBySex>>;

export const Vacancies = z
  .strictObject(vacancyShape)
  .meta({ id: 'Vacancies', description: 'per category the location reports; care homes use the care-home categories, other types `inpatient`' });

export const NOT_ADMITTABLE_REASONS = ['refurbishment', 'staffing', 'infectionControl', 'other'] as const;
export const Beds = z
  .strictObject({
    occupied: count,
    vacantReserved: count,
    vacantNotAdmittable: count,
    notAdmittableReason: z.enum(NOT_ADMITTABLE_REASONS).optional(),
  })
  .superRefine((beds, ctx) => {
    if (beds.vacantNotAdmittable > 0 && beds.notAdmittableReason === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['notAdmittableReason'],
        message: `is required when vacantNotAdmittable is above 0 (one of ${NOT_ADMITTABLE_REASONS.join(', ')})`,
      });
    }
  });

export const ADMISSION_REASONS = ['outbreak', 'staffing', 'infectionControl', 'other'] as const;
export const Admissions = z
  .strictObject({
    status: z.enum(['open', 'restricted', 'closed']),
    reason: z.enum(ADMISSION_REASONS).optional(),
  })
  .superRefine((admissions, ctx) => {
    if (admissions.status !== 'open' && admissions.reason === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['reason'],
        message: `is required when admissions are ${admissions.status} (one of ${ADMISSION_REASONS.join(', ')})`,
      });
    }
  });

export const Outbreak = z.strictObject({
  active: z.boolean(),
  residentsConfirmed: count,
  residentsSuspected: count,
  staffConfirmed: count,
});

export const Workforce = z.strictObject({
  staffEmployed: count,
  staffAbsent: count,
  staffAbsentCovid: count,
  agencyStaffShifts: count,
});

export const PPE_ITEMS = ['gloves', 'aprons', 'fluidResistantMasks', 'ffp3Masks', 'eyeProtection', 'handHygiene'] as const;
export const Ppe = z
  .strictObject(Object.fromEntries(PPE_ITEMS.map((item) => [item, daysOfSupply])) as Record<(typeof PPE_ITEMS)[number], typeof daysOfSupply>)
  .meta({ description: 'days of supply left per item' });

export const Visiting = z.enum(['open', 'restricted', 'closed']);

/** The body of `PUT /v1/locations/{locationId}/returns/{reportDate}` (DESIGN §5). */
export const DailyReturnInput = z
  .strictObject({
    vacancies: Vacancies,
    beds: Beds,
    admissions: Admissions,
    outbreak: Outbreak,
    workforce: Workforce,
    ppe: Ppe,
    visiting: Visiting,
    notes: SafeText.max(1000, 'must be at most 1000 characters').optional(),
  })
  .meta({ id: 'DailyReturnInput' });
export type DailyReturnInput = z.infer<typeof DailyReturnInput>;

export const ReturnWarning = z
  .object({ code: z.string(), path: z.string(), message: z.string() })
  .meta({ id: 'ReturnWarning', description: 'an implausible but possible value: stored, and flagged' });
export type ReturnWarning = z.infer<typeof ReturnWarning>;

export const StoredReturn = DailyReturnInput.extend({
  locationId: LocationId,
  reportDate: CalendarDate,
  version: z.int().min(1),
  submittedAt: Instant,
  firstSubmittedAt: Instant.optional().describe('when the day was first reported (its version 1 was stored): what completeness counts as on time'),
  submittedBy: z.string(),
  warnings: z.array(ReturnWarning),
  schemaVersion: z.int().min(1),
  confirmedFrom: z
    .object({ reportDate: CalendarDate, version: z.int().min(1) })
    .optional()
    .describe('set when the return was made with "nothing has changed": the return whose figures it repeats'),
}).meta({ id: 'StoredReturn' });
export type StoredReturn = z.infer<typeof StoredReturn>;

export const ConfirmInput = z
  .strictObject({
    repeats: z
      .strictObject({ reportDate: CalendarDate, version: z.int().min(1).max(1_000_000) })
      .optional()
      .describe('the return the caller was shown; if it is no longer the latest on or before the day, 409 and nothing is written'),
  })
  .meta({ id: 'ConfirmInput', description: 'empty, or the return the caller saw: the figures come from the latest return' });
export type ConfirmInput = z.infer<typeof ConfirmInput>;

export const ReturnHistoryQuery = z.strictObject({
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(31),
  nextToken: z.string().max(2048).optional(),
});
