import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lonKeyOf, milesBetween, ringArea, ringRanges, ROW_DEGREES, rowOf, type Point } from '#shared/model/vacancies/geo';

/** Is the point's index key inside one of the ranges? (the key is `lonKey#locationId`) */
const covered = (ranges: ReturnType<typeof ringRanges>, point: Point) => {
  const key = `${lonKeyOf(point.longitude)}#1-101`;
  return ranges.some((range) => range.row === rowOf(point.latitude) && range.from <= key && key <= range.to);
};

const england = fc.record({ latitude: fc.double({ min: 50, max: 55.5, noNaN: true }), longitude: fc.double({ min: -5.5, max: 1.7, noNaN: true }) });

describe('searching near a point: the key ranges of a ring', () => {
  test('distances: Manchester to Leeds and London to Exeter as the maps give them', () => {
    expect(milesBetween({ latitude: 53.4808, longitude: -2.2426 }, { latitude: 53.8008, longitude: -1.5491 })).toBeCloseTo(36.1, 0);
    expect(milesBetween({ latitude: 51.5074, longitude: -0.1278 }, { latitude: 50.7184, longitude: -3.5339 })).toBeCloseTo(159, -1);
  });

  test('every point in the ring is in a range, every point in the hole is outside them', () => {
    fc.assert(
      fc.property(england, fc.double({ min: 0, max: 60, noNaN: true }), fc.double({ min: 0.5, max: 100, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), (center, inner, width, share, bearing) => {
          const outer = inner + width;
          const ranges = ringRanges(center, inner, outer);
          // A point at a chosen distance and bearing (small-angle offsets are enough at these scales).
          const miles = share * outer;
          const dLat = (miles / 69.05) * Math.cos(bearing);
          const point = { latitude: center.latitude + dLat, longitude: center.longitude + ((miles / 69.05) * Math.sin(bearing)) / Math.cos(((center.latitude + dLat / 2) * Math.PI) / 180) };
          const distance = milesBetween(center, point);
          if (distance >= inner * 1.001 && distance <= outer * 0.999) expect(covered(ranges, point)).toBe(true);
          if (distance < inner * 0.9 - 0.1) {
            // Inside the hole, except in the rows the hole's edge crosses (read again, then dropped by distance).
            const rowsCrossed = ranges.filter((range) => range.row === rowOf(point.latitude)).length;
            if (rowsCrossed === 2) expect(covered(ranges, point)).toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('a 20-mile circle is a few dozen queries that read little beyond it', () => {
    const oldham = { latitude: 53.5409, longitude: -2.1114 };
    const ranges = ringRanges(oldham, 0, 20);
    // 40 miles of latitude in rows of 0.02° (1.38 miles).
    expect(ranges.length).toBeGreaterThanOrEqual(29);
    expect(ranges.length).toBeLessThanOrEqual(31);
    // The area the ranges cover (rows of 0.05°, spans in longitude) against the circle's.
    const coveredArea = ranges.reduce((sum, range) => {
      const west = Number(range.from.slice(0, 7)) / 10_000 - 180;
      const east = Number(range.to.slice(0, 7)) / 10_000 - 180;
      return sum + (east - west) * 69.17 * Math.cos((oldham.latitude * Math.PI) / 180) * ROW_DEGREES * 69.05;
    }, 0);
    expect(coveredArea / ringArea(0, 20)).toBeLessThan(1.15);
    // A ring 10 to 12 miles out skips the middle of the rows it crosses.
    const ring = ringRanges(oldham, 10, 12);
    expect(ring.filter((range) => range.row === rowOf(oldham.latitude))).toHaveLength(2);
  });
});
