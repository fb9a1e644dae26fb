import * as z from 'zod';
import { CalendarDate, Instant } from '#shared/model/schemas/common';

/** One answer of a return: a count, a choice, a yes/no or the notes; null where the return has no answer. */
export const AnswerValue = z.union([z.number(), z.string(), z.boolean()]).nullable();

export const ReturnChange = z
  .object({
    path: z.string().describe('the DESIGN §5 field, flattened with dots: `vacancies.nursing.female`, `beds.occupied`, `admissions.status`, `notes`'),
    from: AnswerValue.describe('the answer before (null: no answer)'),
    to: AnswerValue.describe('the answer this version gave (null: no answer)'),
  })
  .meta({ id: 'ReturnChange', description: 'an answer that differs from the return this version is compared with' });
export type ReturnChange = z.infer<typeof ReturnChange>;

const ReturnRef = z.object({ reportDate: CalendarDate, version: z.int().min(1) });

export const ReturnVersionEntry = z
  .object({
    version: z.int().min(1),
    submittedAt: Instant,
    submittedBy: z.string(),
    confirmedFrom: ReturnRef.optional().describe('set when the version was made with "nothing has changed": the return whose figures it repeats'),
    comparedWith: ReturnRef.nullable().describe(
      'what `changes` is measured against: the version before on the same day; for version 1, the latest return of an earlier day as it stood when version 1 was saved (null if there was none: then `changes` lists every answer, each `from` null)',
    ),
    changes: z.array(ReturnChange),
  })
  .meta({ id: 'ReturnVersionEntry', description: "one stored version of a day's return and what it changed" });
export type ReturnVersionEntry = z.infer<typeof ReturnVersionEntry>;

export const ReturnVersionList = z
  .object({ items: z.array(ReturnVersionEntry).describe('every stored version of the day, newest first; empty when the day has no return') })
  .meta({ id: 'ReturnVersionList' });
export type ReturnVersionList = z.infer<typeof ReturnVersionList>;
