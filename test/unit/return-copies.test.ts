import { describe, expect, test } from 'vitest';
import { briefOf, copiesAfter, dayFromCopies, type ReturnCopies } from '#shared/model/returns/return-copies';
import { RETURN_SCHEMA_VERSION, type StoredReturn } from '#shared/model/schemas/return';
import { designExample } from './fixtures';

const day = (reportDate: string, version = 1, occupied = 40): StoredReturn => ({
  ...designExample(),
  beds: { ...designExample().beds, occupied },
  locationId: '1-109570155',
  reportDate,
  version,
  submittedAt: `${reportDate}T08:00:00Z`,
  submittedBy: 'user-1',
  warnings: [],
  schemaVersion: RETURN_SCHEMA_VERSION,
});

/** The copies of returns on these days, as the writes would have left them. */
const copiesOf = (...days: StoredReturn[]): ReturnCopies => copiesAfter({}, days);

describe('what a location keeps of its returns', () => {
  test('the newest in full and the one before it in brief, whatever order the days were written in', () => {
    const [a, b, c] = [day('2026-11-20'), day('2026-11-21'), day('2026-11-22')];
    expect(copiesOf(a, b, c)).toEqual({ latest: c, prior: briefOf(b) });
    expect(copiesAfter(copiesAfter(copiesOf(c), [a]), [b])).toEqual({ latest: c, prior: briefOf(b) });
    // A correction of the newest day replaces it; of the prior one, its brief.
    expect(copiesAfter(copiesOf(b, c), [day('2026-11-22', 2, 9)])).toEqual({ latest: day('2026-11-22', 2, 9), prior: briefOf(b) });
    expect(copiesAfter(copiesOf(b, c), [day('2026-11-21', 2, 9)])).toEqual({ latest: c, prior: briefOf(day('2026-11-21', 2, 9)) });
    // An older day than both changes neither.
    expect(copiesAfter(copiesOf(b, c), [a])).toEqual({ latest: c, prior: briefOf(b) });
    expect(copiesOf()).toEqual({});
    expect(copiesOf(a)).toEqual({ latest: a });
  });

  test('a day the copies can speak for: its current version and the return before it; an older one: ask the table', () => {
    const [b, c] = [day('2026-11-21'), day('2026-11-22')];
    const copies = copiesOf(b, c);
    expect(dayFromCopies({}, '2026-11-22')).toEqual({});
    expect(dayFromCopies(copies, '2026-11-23')).toEqual({ previous: c });
    expect(dayFromCopies(copies, '2026-11-22')).toEqual({ current: c, previous: briefOf(b) });
    // Nothing lies between the two newest.
    expect(copiesAfter(copies, []).prior).toEqual(briefOf(b));
    expect(dayFromCopies(copiesOf(day('2026-11-19'), c), '2026-11-21')).toEqual({ previous: briefOf(day('2026-11-19')) });
    expect(dayFromCopies(copies, '2026-11-21')).toBeUndefined();
    expect(dayFromCopies(copies, '2026-11-20')).toBeUndefined();
    // The only return there is: a day before it has neither.
    expect(dayFromCopies(copiesOf(c), '2026-11-20')).toEqual({});
  });
});
