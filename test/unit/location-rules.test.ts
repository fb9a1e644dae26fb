import { describe, expect, test } from 'vitest';
import { locationRuleErrors } from '#shared/model/returns/location-rules';
import type { Location } from '#shared/model/schemas/location';
import type { DailyReturnInput } from '#shared/model/schemas/return';
import { designExample } from './fixtures';

const split = (any = 0) => ({ male: 0, female: 0, any });
const withVacancies = (vacancies: DailyReturnInput['vacancies']): DailyReturnInput => ({ ...designExample(), vacancies });

type Where = Pick<Location, 'type' | 'categories'>;
const hospice: Where = { type: 'hospice', categories: ['inpatient'] };
const careHome: Where = { type: 'careHome', categories: ['residential', 'nursing'] };

describe('locationRuleErrors', () => {
  test('a hospice reporting its inpatient beds is fine', () => {
    expect(locationRuleErrors(withVacancies({ inpatient: split(3) }), hospice)).toEqual([]);
  });

  test('a hospice sending a care-home category gets an error at that category', () => {
    const errors = locationRuleErrors(withVacancies({ inpatient: split(3), residential: split(1) }), hospice);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('vacancies.residential');
    expect(errors[0]?.message).toContain('hospice');
  });

  test('a care-home category is refused for a hospice even when it is all zeros', () => {
    const errors = locationRuleErrors(withVacancies({ inpatient: split(), nursing: split() }), hospice);
    expect(errors.map((e) => e.path)).toEqual(['vacancies.nursing']);
  });

  test('a hospice that leaves out inpatient is told it is required', () => {
    expect(locationRuleErrors(withVacancies({}), hospice)).toEqual([{ path: 'vacancies.inpatient', message: 'is required for this location' }]);
  });

  test('a care home answering each of its categories is fine', () => {
    expect(locationRuleErrors(withVacancies({ residential: split(1), nursing: split() }), careHome)).toEqual([]);
  });

  test('a care home missing one of its categories is told it is required', () => {
    expect(locationRuleErrors(withVacancies({ residential: split(1) }), careHome)).toEqual([
      { path: 'vacancies.nursing', message: 'is required for this location' },
    ]);
  });

  test('a care home missing all its categories gets one error per category', () => {
    expect(locationRuleErrors(withVacancies({}), careHome).map((e) => e.path)).toEqual(['vacancies.residential', 'vacancies.nursing']);
  });

  test('a care home sending inpatient beds gets an error', () => {
    const errors = locationRuleErrors(withVacancies({ residential: split(), nursing: split(), inpatient: split(2) }), careHome);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('vacancies.inpatient');
  });

  test('a care home sending a care-home category it is not registered for is not an error (it is a warning)', () => {
    const input = withVacancies({ residential: split(), nursing: split(), mentalHealth: split(2) });
    expect(locationRuleErrors(input, careHome)).toEqual([]);
  });

  test('the DESIGN example is valid for a care home registered for every care-home category', () => {
    const everything: Where = {
      type: 'careHome',
      categories: ['residential', 'nursing', 'dementiaResidential', 'dementiaNursing', 'mentalHealth', 'learningDisability'],
    };
    expect(locationRuleErrors(designExample(), everything)).toEqual([]);
  });

  test('the DESIGN example (care-home categories) is wrong for a substance misuse service', () => {
    const errors = locationRuleErrors(designExample(), { type: 'substanceMisuse', categories: ['inpatient'] });
    expect(errors.map((e) => e.path).sort()).toEqual([
      'vacancies.dementiaNursing',
      'vacancies.dementiaResidential',
      'vacancies.inpatient',
      'vacancies.learningDisability',
      'vacancies.mentalHealth',
      'vacancies.nursing',
      'vacancies.residential',
    ]);
  });
});
