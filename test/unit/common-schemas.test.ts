import { describe, expect, test } from 'vitest';
import { areaLevelOf, CalendarDate, LocationId } from '#shared/model/schemas/common';

describe('CalendarDate', () => {
  test.each(['2026-11-22', '2024-02-29', '2026-12-31', '2026-01-01'])('accepts the real day %s', (day) => {
    expect(CalendarDate.safeParse(day).success).toBe(true);
  });

  test.each([
    ['a day February never has', '2026-02-30'],
    ['29 February outside a leap year', '2025-02-29'],
    ['month 13', '2026-13-01'],
    ['day 00', '2026-01-00'],
    ['an unpadded month', '2026-1-01'],
    ['a date with a time', '2026-01-01T00:00:00Z'],
    ['a UK-style date', '01/01/2026'],
  ])('rejects %s (%s)', (_label, day) => {
    expect(CalendarDate.safeParse(day).success).toBe(false);
  });
});

describe('areaLevelOf', () => {
  test.each([
    ['E08000004', 'localAuthority'],
    ['E06000027', 'localAuthority'],
    ['E10000008', 'localAuthority'],
    ['E09000033', 'localAuthority'],
    ['E12000002', 'region'],
    ['E12000009', 'region'],
    ['E92000001', 'england'],
  ])('%s is a %s code', (code, level) => {
    expect(areaLevelOf(code)).toBe(level);
  });

  test.each(['E07000041', 'E11000001', 'E13000001', 'E12000010', 'E12000000', 'E0800000', 'e08000004', 'garbage', ''])('%s is not an area code (a two-tier district, a metropolitan county or London half, or no code at all)', (code) => {
    expect(areaLevelOf(code)).toBeUndefined();
  });
});

describe('LocationId', () => {
  test.each(['1-109570155', '1-123456', '1-12345678901'])('accepts %s', (id) => {
    expect(LocationId.safeParse(id).success).toBe(true);
  });

  test.each([
    ['too few digits', '1-12345'],
    ['too many digits', '1-123456789012'],
    ['the wrong prefix', '2-123456789'],
    ['a path traversal', '1-109570155/../x'],
    ['trailing text', '1-109570155 '],
  ])('rejects %s (%s)', (_label, id) => {
    expect(LocationId.safeParse(id).success).toBe(false);
  });
});
