import type { ProblemFieldError } from '../schemas/problem';
import { categoriesAllowedFor, VACANCY_CATEGORIES, type Location } from '../schemas/location';
import type { DailyReturnInput } from '../schemas/return';

/**
 * Rules that depend on the location, not just the body: which vacancy categories it reports. Each of the
 * location's categories must be answered (so area totals are complete); a category its type cannot have
 * is an error; a category of its type it is not registered for may be sent only as zeros (forms may send
 * every box).
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
    } else if (!location.categories.includes(category) && split.male + split.female + split.any > 0) {
      errors.push({ path, message: `this location is not registered for ${category} beds; send zeros or leave it out` });
    }
  }
  return errors;
}
