import { describe, expect, test } from 'vitest';
import { ANSWER_PATHS, changesBetween, flattenAnswers, versionHistory } from '#shared/model/returns/changes';
import { RETURN_SCHEMA_VERSION, type DailyReturnInput, type StoredReturn } from '#shared/model/schemas/return';
import { ReturnVersionList } from '#shared/model/schemas/return-versions';
import { designExample } from './fixtures';

function stored(reportDate: string, version: number, answers: DailyReturnInput, extra: Partial<StoredReturn> = {}): StoredReturn {
  return {
    ...answers,
    locationId: '1-109000000',
    reportDate,
    version,
    submittedAt: `${reportDate}T0${version}:00:00Z`,
    submittedBy: 'manager',
    warnings: [],
    schemaVersion: RETURN_SCHEMA_VERSION,
    ...extra,
  };
}

const withOccupied = (occupied: number, base = designExample()): DailyReturnInput => ({ ...base, beds: { ...base.beds, occupied } });

describe('the answer paths', () => {
  test('are the §5 fields flattened with dots, in the order of DESIGN §5', () => {
    expect(ANSWER_PATHS.slice(0, 3)).toEqual(['vacancies.residential.male', 'vacancies.residential.female', 'vacancies.residential.any']);
    expect(ANSWER_PATHS).toContain('vacancies.inpatient.any');
    expect(ANSWER_PATHS).toContain('beds.notAdmittableReason');
    expect(ANSWER_PATHS.indexOf('beds.occupied')).toBeLessThan(ANSWER_PATHS.indexOf('admissions.status'));
    expect(ANSWER_PATHS.slice(-2)).toEqual(['visiting', 'notes']);
  });

  test('a return’s metadata is not an answer', () => {
    const flat = flattenAnswers(stored('2026-11-30', 3, designExample(), { confirmedFrom: { reportDate: '2026-11-29', version: 1 } }));
    expect([...flat.keys()].every((path) => ANSWER_PATHS.includes(path))).toBe(true);
    expect(flat.get('vacancies.nursing.any')).toBe(2);
    expect(flat.get('admissions.status')).toBe('open');
    expect(flat.get('outbreak.active')).toBe(false);
    expect(flat.has('version')).toBe(false);
  });
});

describe('changesBetween', () => {
  test('the same answers: no changes', () => {
    expect(changesBetween(designExample(), designExample())).toEqual([]);
  });

  test('a changed count, a changed choice and a changed vacancy, in §5 order', () => {
    const after = { ...withOccupied(42), visiting: 'closed' as const, vacancies: { ...designExample().vacancies, nursing: { male: 0, female: 1, any: 2 } } };
    expect(changesBetween(designExample(), after)).toEqual([
      { path: 'vacancies.nursing.female', from: 0, to: 1 },
      { path: 'beds.occupied', from: 41, to: 42 },
      { path: 'visiting', from: 'open', to: 'closed' },
    ]);
  });

  test('an answer given or taken away: from or to is null', () => {
    const { notes: _notes, ...open } = designExample();
    const closed: DailyReturnInput = { ...open, admissions: { status: 'closed', reason: 'outbreak' }, notes: 'deep clean' };
    expect(changesBetween(open, closed)).toEqual([
      { path: 'admissions.status', from: 'open', to: 'closed' },
      { path: 'admissions.reason', from: null, to: 'outbreak' },
      { path: 'notes', from: null, to: 'deep clean' },
    ]);
    expect(changesBetween(closed, open)).toEqual([
      { path: 'admissions.status', from: 'closed', to: 'open' },
      { path: 'admissions.reason', from: 'outbreak', to: null },
      { path: 'notes', from: 'deep clean', to: null },
    ]);
  });

  test('a yes/no answer', () => {
    const outbreak = { ...designExample(), outbreak: { ...designExample().outbreak, active: true } };
    expect(changesBetween(designExample(), outbreak)).toEqual([{ path: 'outbreak.active', from: false, to: true }]);
  });

  test('nothing before: every answer that has a value, each from null', () => {
    const changes = changesBetween(undefined, designExample());
    expect(changes).toHaveLength(flattenAnswers(designExample()).size);
    expect(changes.every((change) => change.from === null && change.to !== null)).toBe(true);
    expect(changes[0]).toEqual({ path: 'vacancies.residential.male', from: null, to: 0 });
    // An optional answer left out is not listed.
    expect(changes.map((change) => change.path)).toContain('notes');
    const { notes: _notes, ...withoutNotes } = designExample();
    expect(changesBetween(undefined, withoutNotes).map((change) => change.path)).not.toContain('notes');
  });

  test('a category answered only before (another kind of location): to is null', () => {
    const { vacancies: _vacancies, ...rest } = designExample();
    const inpatient: DailyReturnInput = { ...rest, vacancies: { inpatient: { male: 1, female: 0, any: 0 } } };
    const changes = changesBetween(designExample(), inpatient);
    expect(changes).toContainEqual({ path: 'vacancies.residential.female', from: 1, to: null });
    expect(changes).toContainEqual({ path: 'vacancies.inpatient.male', from: null, to: 1 });
    expect(changes.filter((change) => change.path.startsWith('vacancies.'))).toHaveLength(18 + 3);
  });
});

describe('versionHistory', () => {
  const previousDay = stored('2026-11-29', 2, withOccupied(40));

  test('newest first; each version against the one before, the first against the earlier day’s return', () => {
    const versions = [stored('2026-11-30', 1, withOccupied(41)), stored('2026-11-30', 3, withOccupied(43)), stored('2026-11-30', 2, withOccupied(41, { ...designExample(), visiting: 'restricted' }))];
    const history = versionHistory(versions, previousDay);
    expect(history.map((entry) => entry.version)).toEqual([3, 2, 1]);
    expect(history[2]).toEqual({
      version: 1,
      submittedAt: '2026-11-30T01:00:00Z',
      submittedBy: 'manager',
      comparedWith: { reportDate: '2026-11-29', version: 2 },
      changes: [{ path: 'beds.occupied', from: 40, to: 41 }],
    });
    expect(history[1]!.comparedWith).toEqual({ reportDate: '2026-11-30', version: 1 });
    expect(history[1]!.changes).toEqual([{ path: 'visiting', from: 'open', to: 'restricted' }]);
    expect(history[0]!.changes).toEqual([
      { path: 'beds.occupied', from: 41, to: 43 },
      { path: 'visiting', from: 'restricted', to: 'open' },
    ]);
    expect(ReturnVersionList.parse({ items: history })).toEqual({ items: history });
  });

  test('a first return with nothing before it lists every answer; a confirm carries confirmedFrom', () => {
    const confirmed = stored('2026-11-30', 2, designExample(), { confirmedFrom: { reportDate: '2026-11-30', version: 1 } });
    const history = versionHistory([confirmed, stored('2026-11-30', 1, designExample())], undefined);
    expect(history[1]!.comparedWith).toBeNull();
    expect(history[1]!.changes).toHaveLength(flattenAnswers(designExample()).size);
    expect(history[0]).toMatchObject({ version: 2, confirmedFrom: { reportDate: '2026-11-30', version: 1 }, changes: [] });
    expect(history[1]).not.toHaveProperty('confirmedFrom');
  });

  test('no versions: an empty history', () => {
    expect(versionHistory([], previousDay)).toEqual([]);
  });
});
