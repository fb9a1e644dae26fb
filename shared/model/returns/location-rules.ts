import type { ProblemFieldError } from '#shared/model/schemas/problem';
import { categoriesAllowedFor, VACANCY_CATEGORIES, type Location } from '#shared/model/schemas/location';
import type { DailyReturnInput } from '#shared/model/schemas/return';

/**
 * Rules that depend on the location, not just the body: which vacancy categories it reports. Each of the
 * location's categories must be answered (so area totals are complete), and a category its type cannot
 * have (inpatient beds in a care home) is an error. A category of its type that it is not registered
 * for is implausible rather than impossible (registrations lag reality), so `returnWarnings` flags it.
 */
export function locationRuleErrors(input: DailyReturnInput, location: Pick<Location, 'type' | 'categories'>): ProblemFieldError[] {
  const errors: ProblemFieldError[] = [];
  const typeAllows = categoriesAllowedFor(location.type);
  for (const category of VACANCY_CATEGORIES) {
    const split = input.vacancies[category];
    const path = `vacancies.${category}`;
    if (split === undefined) {
      if (location.categories.includes(category)) errors.push({ path, message: 'is required for this location' });
      continue;
    }
    if (!typeAllows.includes(category)) {
      errors.push({
        path,
        message: `is not reported by a ${location.type} location (it reports ${typeAllows.join(', ')})`,
      });
    }
  }
  return errors;
}
