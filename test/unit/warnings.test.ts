import { describe, expect, test } from 'vitest';
import { returnWarnings, SWING_FLOOR, SWING_SHARE, totalVacancies } from '#shared/model/returns/warnings';
import type { Location } from '#shared/model/schemas/location';
import type { DailyReturnInput } from '#shared/model/schemas/return';
import { designExample } from './fixtures';

/** A home of 50 beds registered for residential and nursing, sending a plausible return (45 beds accounted for). */
type Where = Pick<Location, 'registeredBeds' | 'categories'>;
const location: Where = { registeredBeds: 50, categories: ['residential', 'nursing'] };

function plausible(): DailyReturnInput {
  return {
    ...designExample(),
    vacancies: { residential: { male: 0, female: 1, any: 0 }, nursing: { male: 0, female: 0, any: 2 } },
    beds: { occupied: 41, vacantReserved: 1, vacantNotAdmittable: 0 },
  };
}

const codes = (input: DailyReturnInput, previous?: Pick<DailyReturnInput, 'beds'>, where: Where = location) =>
  returnWarnings(input, where, previous).map((w) => w.code);

const previousWith = (occupied: number): Pick<DailyReturnInput, 'beds'> => ({ beds: { occupied, vacantReserved: 0, vacantNotAdmittable: 0 } });

describe('totalVacancies', () => {
  test('adds male, female and any across every category sent', () => {
    expect(totalVacancies(designExample())).toBe(3);
    expect(totalVacancies({ vacancies: { residential: { male: 2, female: 3, any: 4 }, inpatient: { male: 1, female: 0, any: 0 } } })).toBe(10);
  });

  test('is 0 when no category is sent', () => {
    expect(totalVacancies({ vacancies: {} })).toBe(0);
  });
});

describe('returnWarnings', () => {
  test('a plausible return has no warnings', () => {
    expect(returnWarnings(plausible(), location, previousWith(40))).toEqual([]);
    expect(returnWarnings(plausible(), location, undefined)).toEqual([]);
  });

  test('beds above registered: occupied plus every vacant bed over the registered beds', () => {
    const atCapacity = plausible();
    atCapacity.beds.occupied = 46; // 46 + 3 vacancies + 1 reserved = 50
    expect(codes(atCapacity)).toEqual([]);

    const over = plausible();
    over.beds.occupied = 46;
    over.beds.vacantNotAdmittable = 1;
    over.beds.notAdmittableReason = 'refurbishment'; // 51
    const warnings = returnWarnings(over, location, undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'bedsAboveRegistered', path: 'beds.occupied' });
    expect(warnings[0]?.message).toContain('51');
  });

  test('vacancies count towards the beds accounted for', () => {
    const input = plausible();
    input.vacancies = { residential: { male: 0, female: 0, any: 8 }, nursing: { male: 0, female: 0, any: 2 } }; // 41 + 10 + 1 = 52
    expect(codes(input)).toEqual(['bedsAboveRegistered']);
  });

  test('staff absent above staff employed', () => {
    const equal = plausible();
    equal.workforce = { ...equal.workforce, staffEmployed: 52, staffAbsent: 52 };
    expect(codes(equal)).toEqual([]);

    const over = plausible();
    over.workforce = { ...over.workforce, staffEmployed: 52, staffAbsent: 53 };
    const warnings = returnWarnings(over, location, undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'absentAboveEmployed', path: 'workforce.staffAbsent' });
  });

  test('COVID absences above all absences', () => {
    const equal = plausible();
    equal.workforce = { ...equal.workforce, staffAbsent: 2, staffAbsentCovid: 2 };
    expect(codes(equal)).toEqual([]);

    const over = plausible();
    over.workforce = { ...over.workforce, staffAbsent: 2, staffAbsentCovid: 3 };
    const warnings = returnWarnings(over, location, undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'covidAbsentAboveAbsent', path: 'workforce.staffAbsentCovid' });
  });

  test('confirmed cases without an active outbreak', () => {
    const residents = plausible();
    residents.outbreak = { active: false, residentsConfirmed: 1, residentsSuspected: 0, staffConfirmed: 0 };
    const warnings = returnWarnings(residents, location, undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'casesWithoutOutbreak', path: 'outbreak.active' });

    const staff = plausible();
    staff.outbreak = { active: false, residentsConfirmed: 0, residentsSuspected: 0, staffConfirmed: 2 };
    expect(codes(staff)).toEqual(['casesWithoutOutbreak']);

    const suspectedOnly = plausible();
    suspectedOnly.outbreak = { active: false, residentsConfirmed: 0, residentsSuspected: 3, staffConfirmed: 0 };
    expect(codes(suspectedOnly)).toEqual([]);

    const declared = plausible();
    declared.outbreak = { active: true, residentsConfirmed: 4, residentsSuspected: 1, staffConfirmed: 2 };
    expect(codes(declared)).toEqual([]);
  });

  describe('largeSwing', () => {
    const threshold = Math.max(SWING_FLOOR, Math.ceil(location.registeredBeds * SWING_SHARE));

    test('the share of registered beds sets the threshold for a large home', () => {
      expect(threshold).toBe(13); // ceil(50 * 0.25)
    });

    test('a rise exactly at the threshold is not flagged; one more bed is', () => {
      const input = plausible(); // occupied 41
      expect(codes(input, previousWith(41 - threshold))).toEqual([]);
      const warnings = returnWarnings(input, location, previousWith(41 - threshold - 1));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ code: 'largeSwing', path: 'beds.occupied' });
      expect(warnings[0]?.message).toContain(`+${threshold + 1}`);
    });

    test('a fall is flagged the same way', () => {
      const input = plausible();
      input.beds.occupied = 20;
      expect(codes(input, previousWith(20 + threshold))).toEqual([]);
      expect(codes(input, previousWith(20 + threshold + 1))).toEqual(['largeSwing']);
    });

    test('small homes use the floor rather than a tiny share', () => {
      const small: Where = { registeredBeds: 12, categories: ['residential'] }; // ceil(12 * 0.25) = 3 < floor
      const input: DailyReturnInput = { ...plausible(), vacancies: { residential: { male: 0, female: 0, any: 0 } }, beds: { occupied: 10, vacantReserved: 0, vacantNotAdmittable: 0 } };
      expect(codes(input, previousWith(10 - SWING_FLOOR), small)).toEqual([]);
      expect(codes(input, previousWith(10 - SWING_FLOOR - 1), small)).toEqual(['largeSwing']);
    });

    test('no previous return, no swing warning however the figures look', () => {
      const input = plausible();
      input.beds.occupied = 0;
      expect(codes(input, undefined)).toEqual([]);
    });
  });

  test('vacancies in a category the location is not registered for', () => {
    const input = plausible();
    input.vacancies = { ...input.vacancies, mentalHealth: { male: 0, female: 1, any: 0 } };
    const warnings = returnWarnings(input, location, undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'categoryNotRegistered', path: 'vacancies.mentalHealth' });
  });

  test('an unregistered category sent as zeros is not flagged', () => {
    const input = plausible();
    input.vacancies = { ...input.vacancies, mentalHealth: { male: 0, female: 0, any: 0 } };
    expect(codes(input)).toEqual([]);
  });

  test('several problems give several warnings, each at its own path', () => {
    const input = plausible();
    input.beds.occupied = 200;
    input.workforce = { staffEmployed: 10, staffAbsent: 11, staffAbsentCovid: 12, agencyStaffShifts: 0 };
    const warnings = returnWarnings(input, location, previousWith(41));
    expect(warnings.map((w) => [w.code, w.path]).sort()).toEqual(
      [
        ['absentAboveEmployed', 'workforce.staffAbsent'],
        ['bedsAboveRegistered', 'beds.occupied'],
        ['covidAbsentAboveAbsent', 'workforce.staffAbsentCovid'],
        ['largeSwing', 'beds.occupied'],
      ].sort(),
    );
    for (const warning of warnings) expect(warning.message.length).toBeGreaterThan(0);
  });
});
