import { describe, expect, test } from 'vitest';
import { rowsOfCircle, watchRowOf } from '#shared/model/saved-searches';
import { milesBetween } from '#shared/model/vacancies/geo';

describe('the rows a saved search watches', () => {
  test('a search of the widest radius fits one transaction with its search and count items (100 at most)', () => {
    const rows = rowsOfCircle({ latitude: 55.7, longitude: -2.0 }, 100);
    expect(rows.length + 2).toBeLessThanOrEqual(100);
  });

  test('every point within the radius lies in a watched row', () => {
    const centre = { latitude: 53.52606, longitude: -2.11616 };
    const rows = new Set(rowsOfCircle(centre, 20));
    for (let step = -40; step <= 40; step += 1) {
      const point = { latitude: centre.latitude + step * 0.0075, longitude: centre.longitude };
      if (milesBetween(centre, point) <= 20) expect(rows.has(watchRowOf(point.latitude))).toBe(true);
    }
  });
});
