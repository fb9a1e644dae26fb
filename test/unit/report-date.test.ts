import { describe, expect, test } from 'vitest';
import { addDays, londonDay, MAX_DAYS_BACK, reportDateProblem, toInstant } from '#shared/model/returns/report-date';

describe('londonDay', () => {
  test('in summer (BST) 23:30 UTC is already the next day in London', () => {
    expect(londonDay(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
  });

  test('in winter (GMT) 23:30 UTC is still the same day in London', () => {
    expect(londonDay(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  test('the hour before midnight BST is still the old day', () => {
    expect(londonDay(new Date('2026-06-30T22:59:59Z'))).toBe('2026-06-30');
  });
});

describe('reportDateProblem', () => {
  // 00:30 on 1 July in London, while it is still 30 June in UTC.
  const justAfterLondonMidnight = new Date('2026-06-30T23:30:00Z');

  test('today in London is open even while UTC is still on yesterday', () => {
    expect(reportDateProblem('2026-07-01', justAfterLondonMidnight)).toBeUndefined();
  });

  test('tomorrow is refused as in the future', () => {
    const problem = reportDateProblem('2026-07-02', justAfterLondonMidnight);
    expect(problem).toMatch(/future/);
    expect(problem).toContain('2026-07-01');
  });

  test(`exactly ${MAX_DAYS_BACK} days back is open, 8 days back is not`, () => {
    expect(MAX_DAYS_BACK).toBe(7);
    expect(reportDateProblem('2026-06-24', justAfterLondonMidnight)).toBeUndefined();
    const problem = reportDateProblem('2026-06-23', justAfterLondonMidnight);
    expect(problem).toBeDefined();
    expect(problem).toContain('2026-06-24');
  });

  test('in winter, a London evening after 23:00 UTC is still the same day', () => {
    const now = new Date('2026-12-31T23:30:00Z');
    expect(reportDateProblem('2026-12-31', now)).toBeUndefined();
    expect(reportDateProblem('2027-01-01', now)).toMatch(/future/);
    expect(reportDateProblem('2026-12-24', now)).toBeUndefined();
    expect(reportDateProblem('2026-12-23', now)).toBeDefined();
  });

  test('the window crosses a year end', () => {
    const now = new Date('2027-01-03T12:00:00Z');
    expect(reportDateProblem('2026-12-27', now)).toBeUndefined();
    expect(reportDateProblem('2026-12-26', now)).toBeDefined();
  });
});

describe('addDays', () => {
  test.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-07-01', -7, '2026-06-24'],
    ['2026-03-28', 2, '2026-03-30'], // across the BST change: calendar days, not 24-hour steps
    ['2026-11-22', 0, '2026-11-22'],
  ])('%s plus %i days is %s', (day, days, expected) => {
    expect(addDays(day, days)).toBe(expected);
  });
});

describe('toInstant', () => {
  test('drops milliseconds and keeps UTC', () => {
    expect(toInstant(new Date('2026-11-22T08:14:03.456Z'))).toBe('2026-11-22T08:14:03Z');
  });

  test('an instant on a whole second is written without a fraction', () => {
    expect(toInstant(new Date('2026-11-22T08:14:03Z'))).toBe('2026-11-22T08:14:03Z');
  });
});
