import { expect } from 'vitest';
import { ProblemError } from '../../shared/errors';
import type { DailyReturnInput } from '../../shared/schemas/return';

/** The request body shown in DESIGN §5, verbatim. */
export function designExample(): DailyReturnInput {
  return {
    vacancies: {
      residential: { male: 0, female: 1, any: 0 },
      nursing: { male: 0, female: 0, any: 2 },
      dementiaResidential: { male: 0, female: 0, any: 0 },
      dementiaNursing: { male: 0, female: 0, any: 0 },
      mentalHealth: { male: 0, female: 0, any: 0 },
      learningDisability: { male: 0, female: 0, any: 0 },
    },
    beds: { occupied: 41, vacantReserved: 1, vacantNotAdmittable: 0, notAdmittableReason: 'refurbishment' },
    admissions: { status: 'open' },
    outbreak: { active: false, residentsConfirmed: 0, residentsSuspected: 0, staffConfirmed: 0 },
    workforce: { staffEmployed: 52, staffAbsent: 2, staffAbsentCovid: 0, agencyStaffShifts: 3 },
    ppe: { gloves: 30, aprons: 30, fluidResistantMasks: 14, ffp3Masks: 7, eyeProtection: 21, handHygiene: 60 },
    visiting: 'open',
    notes: 'optional, at most 1000 characters',
  };
}

/** Run `fn`, which must throw a ProblemError with the given status; returns the error for further checks. */
export function expectProblem(fn: () => unknown, status = 400): ProblemError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a ProblemError to be thrown').toBeInstanceOf(ProblemError);
  const problem = thrown as ProblemError;
  expect(problem.status).toBe(status);
  return problem;
}
