import { describe, expect, test } from 'vitest';
import { keys } from '#shared/model/keys';

describe('keys', () => {
  test('versionKey zero-pads the version after the day', () => {
    expect(keys.versionKey('2026-11-22', 1)).toBe('2026-11-22#000001');
    expect(keys.versionKey('2026-11-22', 42)).toBe('2026-11-22#000042');
  });

  test('version keys sort as strings in numeric order (v2 before v10 before v100)', () => {
    const versions = [10, 2, 100, 1, 9];
    const sorted = versions.map((v) => keys.versionKey('2026-11-22', v)).sort();
    expect(sorted).toEqual([1, 2, 9, 10, 100].map((v) => keys.versionKey('2026-11-22', v)));
  });

  test('version keys sort by day first, then version', () => {
    const sorted = [keys.versionKey('2026-11-23', 1), keys.versionKey('2026-11-22', 10), keys.versionKey('2026-11-22', 2)].sort();
    expect(sorted).toEqual(['2026-11-22#000002', '2026-11-22#000010', '2026-11-23#000001']);
  });

  test('returnVersion is the item key of one version', () => {
    expect(keys.returnVersion('1-109570155', '2026-11-22', 3)).toEqual({ locationId: '1-109570155', versionKey: '2026-11-22#000003' });
  });

  test('listingKey is type#locationId and begins with the listing prefix of its type only', () => {
    const key = keys.listingKey('careHome', '1-109570155');
    expect(key).toBe('careHome#1-109570155');
    expect(keys.listingPrefix('careHome')).toBe('careHome#');
    expect(key.startsWith(keys.listingPrefix('careHome'))).toBe(true);
    expect(key.startsWith(keys.listingPrefix('hospice'))).toBe(false);
  });

  test('listing keys group locations by type', () => {
    const sorted = [keys.listingKey('hospice', '1-100000001'), keys.listingKey('careHome', '1-200000000'), keys.listingKey('careHome', '1-100000000')].sort();
    expect(sorted).toEqual(['careHome#1-100000000', 'careHome#1-200000000', 'hospice#1-100000001']);
  });

  test('every location is in the England partition', () => {
    expect(keys.country()).toBe('E92000001');
  });

  test('item keys name the table key attributes', () => {
    expect(keys.location('1-109570155')).toEqual({ locationId: '1-109570155' });
    expect(keys.dailyReturn('1-109570155', '2026-11-22')).toEqual({ locationId: '1-109570155', reportDate: '2026-11-22' });
  });
});
