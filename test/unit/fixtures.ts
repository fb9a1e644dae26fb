import { expect } from 'vitest';
import { ProblemError } from '#shared/model/errors';

export { designExample } from '#scripts/seed/design-example';

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
