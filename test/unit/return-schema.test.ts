import { describe, expect, test } from 'vitest';
import { parseOrThrow } from '#shared/model/errors';
import { DailyReturnInput, MAX_COUNT } from '#shared/model/schemas/return';
import { designExample, expectProblem } from './fixtures';

/** A copy of the DESIGN example as plain JSON, free to break in ways the type would not allow. */
function body(): Record<string, any> {
  return JSON.parse(JSON.stringify(designExample()));
}

function errorsFor(input: unknown) {
  return expectProblem(() => parseOrThrow(DailyReturnInput, input)).errors;
}

describe('DailyReturnInput (DESIGN §5 body)', () => {
  test('the DESIGN §5 example parses unchanged', () => {
    expect(parseOrThrow(DailyReturnInput, body())).toEqual(designExample());
  });

  test('notes is optional', () => {
    const input = body();
    delete input.notes;
    expect(parseOrThrow(DailyReturnInput, input).notes).toBeUndefined();
  });

  test('a negative count is refused at its dotted path', () => {
    const input = body();
    input.vacancies.nursing.male = -1;
    expect(errorsFor(input)).toEqual([{ path: 'vacancies.nursing.male', message: 'must be 0 or more' }]);
  });

  test.each([
    ['a fraction', 1.5],
    ['a numeric string', '2'],
    ['a word', 'two'],
  ])('%s as a count is refused as not a whole number', (_label, value) => {
    const input = body();
    input.vacancies.nursing.male = value;
    expect(errorsFor(input)).toEqual([{ path: 'vacancies.nursing.male', message: 'must be a whole number' }]);
  });

  test(`counts go up to ${MAX_COUNT} and no further`, () => {
    const atLimit = body();
    atLimit.beds.occupied = MAX_COUNT;
    expect(parseOrThrow(DailyReturnInput, atLimit).beds.occupied).toBe(10_000);

    const above = body();
    above.vacancies.nursing.male = 10_001;
    expect(errorsFor(above)).toEqual([{ path: 'vacancies.nursing.male', message: 'must be at most 10000' }]);
  });

  test('a missing count inside a category says "is required"', () => {
    const input = body();
    delete input.vacancies.nursing.male;
    expect(errorsFor(input)).toEqual([{ path: 'vacancies.nursing.male', message: 'is required' }]);
  });

  test('an unknown top-level field is named by its own path', () => {
    const input = { ...body(), colour: 'red' };
    expect(errorsFor(input)).toEqual([{ path: 'colour', message: 'is not a known field' }]);
  });

  test('an unknown key inside a category is named by its full path', () => {
    const input = body();
    input.vacancies.nursing.foo = 1;
    expect(errorsFor(input)).toEqual([{ path: 'vacancies.nursing.foo', message: 'is not a known field' }]);
  });

  test('an unknown vacancy category is refused', () => {
    const input = body();
    input.vacancies.bogus = { male: 0, female: 0, any: 0 };
    expect(errorsFor(input)).toEqual([{ path: 'vacancies.bogus', message: 'is not a known field' }]);
  });

  test('every unknown field is listed, not only the first', () => {
    const input = { ...body(), colour: 'red', size: 3 };
    expect(errorsFor(input)?.map((e) => e.path).sort()).toEqual(['colour', 'size']);
  });

  test('admissions that are not open need a reason', () => {
    const closed = body();
    closed.admissions = { status: 'closed' };
    const errors = errorsFor(closed);
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.path).toBe('admissions.reason');
    expect(errors?.[0]?.message).toMatch(/^is required/);

    const restricted = body();
    restricted.admissions = { status: 'restricted' };
    expect(errorsFor(restricted)?.map((e) => e.path)).toEqual(['admissions.reason']);

    const withReason = body();
    withReason.admissions = { status: 'closed', reason: 'outbreak' };
    expect(parseOrThrow(DailyReturnInput, withReason).admissions).toEqual({ status: 'closed', reason: 'outbreak' });
  });

  test('vacant beds that cannot be admitted to need a reason', () => {
    const input = body();
    input.beds.vacantNotAdmittable = 2;
    delete input.beds.notAdmittableReason;
    const errors = errorsFor(input);
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.path).toBe('beds.notAdmittableReason');
    expect(errors?.[0]?.message).toMatch(/^is required/);

    input.beds.notAdmittableReason = 'staffing';
    expect(parseOrThrow(DailyReturnInput, input).beds.vacantNotAdmittable).toBe(2);
  });

  test('a missing section is reported at the section', () => {
    const input = body();
    delete input.ppe;
    expect(errorsFor(input)).toEqual([{ path: 'ppe', message: 'is required' }]);
  });

  test('PPE days of supply go up to 365 and no further', () => {
    const atLimit = body();
    atLimit.ppe.gloves = 365;
    expect(parseOrThrow(DailyReturnInput, atLimit).ppe.gloves).toBe(365);

    const above = body();
    above.ppe.gloves = 366;
    expect(errorsFor(above)).toEqual([{ path: 'ppe.gloves', message: 'must be at most 365' }]);
  });

  test('notes may be 1000 characters but not 1001', () => {
    const atLimit = body();
    atLimit.notes = 'x'.repeat(1000);
    expect(parseOrThrow(DailyReturnInput, atLimit).notes).toHaveLength(1000);

    const above = body();
    above.notes = 'x'.repeat(1001);
    expect(errorsFor(above)).toEqual([{ path: 'notes', message: 'must be at most 1000 characters' }]);
  });

  test('visiting must be one of open, restricted, closed', () => {
    const input = body();
    input.visiting = 'sometimes';
    const errors = errorsFor(input);
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.path).toBe('visiting');

    input.visiting = 'restricted';
    expect(parseOrThrow(DailyReturnInput, input).visiting).toBe('restricted');
  });

  test('several bad fields give one error each', () => {
    const input = body();
    input.vacancies.nursing.male = -1;
    input.ppe.gloves = 400;
    input.visiting = 'sometimes';
    expect(errorsFor(input)?.map((e) => e.path).sort()).toEqual(['ppe.gloves', 'vacancies.nursing.male', 'visiting']);
  });

  test('a body that is not an object is a 400 at the root', () => {
    expect(errorsFor([1, 2, 3])).toEqual([{ path: '', message: expect.any(String) }]);
  });
});
