import type { Location, VacancyCategory } from '#shared/model/schemas/location';
import type { DailyReturnInput, ReturnWarning } from '#shared/model/schemas/return';

/** A day-to-day change in occupied beds above this share of registered beds (and at least the floor) is flagged. */
export const SWING_SHARE = 0.25;
export const SWING_FLOOR = 5;

export function totalVacancies(input: Pick<DailyReturnInput, 'vacancies'>): number {
  return Object.values(input.vacancies).reduce((sum, split) => sum + (split ? split.male + split.female + split.any : 0), 0);
}

/**
 * Implausible but possible values: stored, and flagged for the reader of the data to judge. Each rule is
 * something a data team has seen go wrong (typing staff numbers into bed boxes, a slipped digit).
 */
export function returnWarnings(
  input: DailyReturnInput,
  location: Pick<Location, 'registeredBeds' | 'categories'>,
  previous: Pick<DailyReturnInput, 'beds'> | undefined,
): ReturnWarning[] {
  const warnings: ReturnWarning[] = [];
  for (const [category, split] of Object.entries(input.vacancies)) {
    const vacant = split ? split.male + split.female + split.any : 0;
    if (vacant > 0 && !location.categories.includes(category as VacancyCategory)) {
      warnings.push({
        code: 'categoryNotRegistered',
        path: `vacancies.${category}`,
        message: `${vacant} ${category} vacancies reported, but the location is not registered for ${category} beds`,
      });
    }
  }
  const bedsAccounted = input.beds.occupied + totalVacancies(input) + input.beds.vacantReserved + input.beds.vacantNotAdmittable;
  if (bedsAccounted > location.registeredBeds) {
    warnings.push({
      code: 'bedsAboveRegistered',
      path: 'beds.occupied',
      message: `occupied and vacant beds add up to ${bedsAccounted}, above the ${location.registeredBeds} registered beds`,
    });
  }
  if (input.workforce.staffAbsent > input.workforce.staffEmployed) {
    warnings.push({
      code: 'absentAboveEmployed',
      path: 'workforce.staffAbsent',
      message: `${input.workforce.staffAbsent} staff absent is more than the ${input.workforce.staffEmployed} employed`,
    });
  }
  if (input.workforce.staffAbsentCovid > input.workforce.staffAbsent) {
    warnings.push({
      code: 'covidAbsentAboveAbsent',
      path: 'workforce.staffAbsentCovid',
      message: `${input.workforce.staffAbsentCovid} absent for COVID is more than the ${input.workforce.staffAbsent} absent in all`,
    });
  }
  const outbreakCases = input.outbreak.residentsConfirmed + input.outbreak.staffConfirmed;
  if (!input.outbreak.active && outbreakCases > 0) {
    warnings.push({
      code: 'casesWithoutOutbreak',
      path: 'outbreak.active',
      message: `${outbreakCases} confirmed cases are reported but no active outbreak`,
    });
  }
  if (previous) {
    const change = input.beds.occupied - previous.beds.occupied;
    const threshold = Math.max(SWING_FLOOR, Math.ceil(location.registeredBeds * SWING_SHARE));
    if (Math.abs(change) > threshold) {
      warnings.push({
        code: 'largeSwing',
        path: 'beds.occupied',
        message: `occupied beds moved by ${change > 0 ? '+' : ''}${change} since the previous return (more than ${threshold} is unusual)`,
      });
    }
  }
  return warnings;
}
