import { describe, expect, test } from 'vitest';
import { neutraliseCell, toCsv } from '#shared/http/csv';
import { ProblemError } from '#shared/model/errors';
import {
  BULK_COLUMNS,
  bulkLocationRuleErrors,
  checkBulkRows,
  flattenReturn,
  invalidRows,
  MAX_LISTED_ERRORS,
  parseBulkCsv,
  parseBulkJson,
  RETURN_COLUMNS,
  templateRow,
  unNeutraliseCell,
  type CandidateRow,
} from '#shared/model/returns/bulk';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import { BulkRowResult, BulkUploadJson, MAX_BULK_ROWS } from '#shared/model/schemas/bulk';
import { CARE_HOME_CATEGORIES, VACANCY_CATEGORIES, type Location } from '#shared/model/schemas/location';
import type { DailyReturnInput } from '#shared/model/schemas/return';
import { designExample } from '#scripts/seed/design-example';

const NOW = new Date('2026-12-03T10:00:00Z');
const TODAY = londonDay(NOW);
const HOME = '1-109570155';
const OTHER = '1-101712519';

/** A CSV of the template's columns (neutralised, CRLF, as the template writes it), a row per return. */
function csvOf(rows: Array<{ locationId: string; reportDate: string; figures?: DailyReturnInput }>, options: { bom?: boolean; lf?: boolean } = {}): string {
  const text = toCsv(BULK_COLUMNS, rows.map(({ locationId, reportDate, figures }) => flattenReturn({ locationId, reportDate }, figures)));
  return (options.bom ? '\ufeff' : '') + (options.lf ? text.replace(/\r\n/g, '\n') : text);
}

/** The 400 a function throws, as its errors. */
function errorsOf(run: () => unknown): { status: number; errors: Array<{ path: string; message: string }> } {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return { status: error.status, errors: error.errors ?? [] };
    throw error;
  }
  throw new Error('expected a problem');
}

const check = (candidates: CandidateRow[]) => checkBulkRows(candidates, NOW);

describe('the columns', () => {
  test('locationId, reportDate and name, then one column per answer of §5 flattened with dots', () => {
    expect(BULK_COLUMNS.slice(0, 3)).toEqual(['locationId', 'reportDate', 'name']);
    expect(RETURN_COLUMNS).toContain('vacancies.nursing.female');
    expect(RETURN_COLUMNS).toContain('vacancies.inpatient.any');
    for (const column of ['beds.occupied', 'beds.notAdmittableReason', 'admissions.status', 'admissions.reason', 'outbreak.active', 'ppe.gloves', 'visiting', 'notes']) {
      expect(RETURN_COLUMNS).toContain(column);
    }
    expect(new Set(BULK_COLUMNS).size).toBe(BULK_COLUMNS.length);
  });

  test('a return with every answer given goes through the columns and back unchanged', () => {
    const full: DailyReturnInput = {
      ...designExample(),
      vacancies: Object.fromEntries(VACANCY_CATEGORIES.map((category, index) => [category, { male: index, female: index + 1, any: index + 2 }])),
      beds: { occupied: 40, vacantReserved: 1, vacantNotAdmittable: 2, notAdmittableReason: 'staffing' },
      admissions: { status: 'restricted', reason: 'outbreak' },
      outbreak: { active: true, residentsConfirmed: 3, residentsSuspected: 4, staffConfirmed: 5 },
    };
    const [row] = parseBulkCsv(csvOf([{ locationId: HOME, reportDate: TODAY, figures: full }]));
    expect(row!.body).toEqual(full);
    expect(row!.cellErrors).toEqual([]);
  });
});

describe('reading a CSV upload', () => {
  const example = designExample();

  test('with or without a BOM, CRLF or LF: the same rows', () => {
    const rows = [
      { locationId: HOME, reportDate: TODAY, figures: example },
      { locationId: OTHER, reportDate: addDays(TODAY, -1), figures: example },
    ];
    const plain = parseBulkCsv(csvOf(rows));
    expect(plain.map((row) => [row.row, row.locationId, row.reportDate])).toEqual([
      [0, HOME, TODAY],
      [1, OTHER, addDays(TODAY, -1)],
    ]);
    expect(plain[0]!.body).toEqual(example);
    expect(parseBulkCsv(csvOf(rows, { bom: true }))).toEqual(plain);
    expect(parseBulkCsv(csvOf(rows, { lf: true }))).toEqual(plain);
    expect(parseBulkCsv(csvOf(rows, { bom: true, lf: true }))).toEqual(plain);
    // As bytes, the way the handler gets them: the BOM's three bytes are dropped too.
    expect(parseBulkCsv(Buffer.from(csvOf(rows, { bom: true }), 'utf8'))).toEqual(plain);
  });

  test('quoted cells keep their commas, quotes and line breaks', () => {
    const notes = 'Lift out of order, "back" Tuesday\r\nCall first\nthen visit';
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: { ...example, notes } }]);
    expect(csv).toContain('"Lift out of order, ""back"" Tuesday');
    const [row] = parseBulkCsv(csv);
    expect((row!.body as DailyReturnInput).notes).toBe(notes);
    expect(check([row!]).errors).toEqual([]);
  });

  test('columns may come in any order, and the name column (for people) is ignored', () => {
    const header = ['notes', ...RETURN_COLUMNS.filter((c) => c !== 'notes').reverse(), 'reportDate', 'name', 'locationId'];
    const values: Record<string, string> = Object.fromEntries(BULK_COLUMNS.map((column, index) => [column, String(flattenReturn({ locationId: HOME, reportDate: TODAY, name: 'Oak House' }, example)[index])]));
    const csv = toCsv(header, [header.map((column) => values[column])]);
    const [row] = parseBulkCsv(csv);
    expect(row).toMatchObject({ locationId: HOME, reportDate: TODAY, body: example });
  });

  test('an empty cell is "not given": a category the location does not report is left out', () => {
    const { dementiaNursing: _left, ...vacancies } = example.vacancies;
    const [row] = parseBulkCsv(csvOf([{ locationId: HOME, reportDate: TODAY, figures: { ...example, vacancies } }]));
    expect((row!.body as DailyReturnInput).vacancies).toEqual(vacancies);
    expect(Object.keys((row!.body as DailyReturnInput).vacancies)).not.toContain('dementiaNursing');
    expect(Object.keys((row!.body as DailyReturnInput).vacancies)).not.toContain('inpatient');
  });

  test('a category half filled in names the missing cells', () => {
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: example }]).replace(/\r\n$/, '');
    const [head, data] = csv.split('\r\n') as [string, string];
    const cells = data.split(',');
    cells[head.split(',').indexOf('vacancies.nursing.male')] = '';
    const { errors } = check(parseBulkCsv(`${head}\r\n${cells.join(',')}\r\n`));
    expect(errors).toEqual([{ path: 'rows[0].vacancies.nursing.male', message: 'is required' }]);
  });

  test('true and false in any case (spreadsheets write TRUE); anything else is named', () => {
    const header = ['locationId', 'reportDate', ...RETURN_COLUMNS];
    const line = (active: string, locationId: string) => [locationId, TODAY, ...flattenReturn({ locationId: HOME, reportDate: TODAY }, example).slice(3).map((cell, index) => (RETURN_COLUMNS[index] === 'outbreak.active' ? active : cell))];
    const rows = parseBulkCsv(toCsv(header, [line('TRUE', HOME), line('False', OTHER), line('yes', '1-100000001')]).replace(/\r\n/g, '\n'));
    expect(rows.map((row) => (row.body as DailyReturnInput).outbreak?.active)).toEqual([true, false, undefined]);
    expect(check(rows).errors).toEqual([{ path: 'rows[2].outbreak.active', message: 'must be true or false' }]);
  });

  test('bad numbers are named by row and column, with the reason', () => {
    const header = ['locationId', 'reportDate', ...RETURN_COLUMNS];
    const good = flattenReturn({ locationId: HOME, reportDate: TODAY }, example);
    const withCell = (column: string, value: string, locationId = HOME) =>
      header.map((name) => (name === column ? value : name === 'locationId' ? locationId : good[BULK_COLUMNS.indexOf(name)]!));
    const csv = toCsv(header, [
      withCell('beds.occupied', 'abc', '1-100000001'),
      withCell('beds.occupied', '1.5', '1-100000002'),
      withCell('ppe.gloves', '366', '1-100000003'),
      withCell('workforce.staffAbsent', '-1', '1-100000004'),
      withCell('vacancies.nursing.female', '1e3', '1-100000005'),
      withCell('beds.occupied', '10001', '1-100000006'),
      withCell('beds.occupied', ' 7 ', '1-100000007'),
      withCell('beds.occupied', '7.0', '1-100000008'),
    ]);
    const { rows, errors } = check(parseBulkCsv(csv));
    expect(errors).toEqual([
      { path: 'rows[0].beds.occupied', message: 'must be a whole number' },
      { path: 'rows[1].beds.occupied', message: 'must be a whole number' },
      { path: 'rows[2].ppe.gloves', message: 'must be at most 365' },
      { path: 'rows[3].workforce.staffAbsent', message: 'must be 0 or more' },
      { path: 'rows[4].vacancies.nursing.female', message: 'must be a whole number' },
      { path: 'rows[5].beds.occupied', message: 'must be at most 10000' },
    ]);
    expect(rows.map((row) => [row.row, row.input?.beds.occupied])).toEqual([
      [6, 7],
      [7, 7],
    ]);
  });

  test('rows count from 0 after the header, blank lines included; a blank line is ignored', () => {
    const csv = csvOf([
      { locationId: HOME, reportDate: TODAY, figures: example },
      { locationId: OTHER, reportDate: TODAY, figures: { ...example, visiting: 'sometimes' as never } },
    ]);
    const [head, first, second] = csv.split('\r\n');
    const rows = parseBulkCsv([head, first, '', ','.repeat(BULK_COLUMNS.length - 1), second, ''].join('\r\n'));
    expect(rows.map((row) => row.row)).toEqual([0, 3]);
    expect(check(rows).errors).toEqual([{ path: 'rows[3].visiting', message: expect.stringContaining('Invalid option') }]);
  });

  test('a row with a location and day but no figures is blank: skipped, not an error', () => {
    const rows = parseBulkCsv(csvOf([{ locationId: HOME, reportDate: TODAY }]));
    expect(rows).toMatchObject([{ row: 0, locationId: HOME, reportDate: TODAY, blank: true }]);
    expect(check(rows)).toEqual({ rows: [{ row: 0, locationId: HOME, reportDate: TODAY, input: undefined }], errors: [] });
  });

  test('a header that is not a known column is a 400 naming it; so is a repeated one, and a missing locationId', () => {
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: example }]);
    const unknown = errorsOf(() => parseBulkCsv(csv.replace('vacancies.nursing.male', 'vacancies.nursin.male')));
    expect(unknown.status).toBe(400);
    expect(unknown.errors).toEqual([{ path: `header[${BULK_COLUMNS.indexOf('vacancies.nursing.male')}]`, message: expect.stringContaining('"vacancies.nursin.male" is not a known column') }]);
    const repeated = errorsOf(() => parseBulkCsv(csv.replace('vacancies.nursing.male', 'beds.occupied')));
    expect(repeated.errors).toEqual([{ path: `header[${BULK_COLUMNS.indexOf('beds.occupied')}]`, message: expect.stringContaining('"beds.occupied" is also column') }]);
    const missing = errorsOf(() => parseBulkCsv(csv.replace('locationId', 'location')));
    expect(missing.errors.map((error) => error.path)).toEqual(['header[0]', 'header']);
    expect(missing.errors[1]!.message).toBe('has no locationId column');
  });

  test('a column with no name is allowed while it is empty (spreadsheets save such columns)', () => {
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: example }]).replace(/\r\n/g, ',\r\n');
    expect(parseBulkCsv(csv)).toHaveLength(1);
    const filled = csv.replace(/,\r\n(?=1-)/, ',\r\n').replace(/,\r\n$/, ',x\r\n');
    expect(errorsOf(() => parseBulkCsv(filled)).errors).toEqual([{ path: `header[${BULK_COLUMNS.length}]`, message: 'a column with no name has cells filled in' }]);
  });

  test('a row with more or fewer cells than the header is named', () => {
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: example }, { locationId: OTHER, reportDate: TODAY, figures: example }]);
    const lines = csv.split('\r\n');
    lines[2] = `${lines[2]},extra`;
    expect(errorsOf(() => parseBulkCsv(lines.join('\r\n'))).errors).toEqual([{ path: 'rows[1]', message: `has ${BULK_COLUMNS.length + 1} cells; the header has ${BULK_COLUMNS.length} columns` }]);
  });

  test('CSV that is not RFC 4180 (a quote left open) names the row it stopped in', () => {
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: { ...example, notes: 'fine' } }, { locationId: OTHER, reportDate: TODAY, figures: example }]);
    const broken = `${csv.trimEnd()}\r\n${HOME},"${TODAY}\r\n`;
    const { status, errors } = errorsOf(() => parseBulkCsv(broken));
    expect(status).toBe(400);
    expect(errors[0]!.path).toBe('rows[2]');
    expect(errors[0]!.message).toMatch(/cannot be read as CSV/);
  });

  test('bytes that are not UTF-8 are a 400 saying how to save the file', () => {
    const bytes = Buffer.concat([Buffer.from(csvOf([{ locationId: HOME, reportDate: TODAY, figures: { ...example, notes: 'caf' } }]).replace('caf', 'caf\u0000'), 'utf8')]);
    bytes[bytes.indexOf(0)] = 0xe9; // é in Windows-1252
    expect(errorsOf(() => parseBulkCsv(bytes)).errors[0]!.message).toMatch(/CSV UTF-8/);
  });

  test(`more than ${MAX_BULK_ROWS} rows is a 400 at rows; ${MAX_BULK_ROWS} are fine`, () => {
    const many = (count: number) => csvOf(Array.from({ length: count }, (_, index) => ({ locationId: `1-1${String(index).padStart(8, '0')}`, reportDate: TODAY, figures: example })));
    expect(parseBulkCsv(many(MAX_BULK_ROWS))).toHaveLength(MAX_BULK_ROWS);
    const over = errorsOf(() => parseBulkCsv(many(MAX_BULK_ROWS + 1)));
    expect(over.errors).toEqual([{ path: 'rows', message: expect.stringContaining(`this file has ${MAX_BULK_ROWS + 1}`) }]);
  });

  test('an empty file, or a header alone, is an upload of no rows', () => {
    expect(parseBulkCsv('')).toEqual([]);
    expect(parseBulkCsv('\ufeff')).toEqual([]);
    expect(parseBulkCsv(`${BULK_COLUMNS.join(',')}\r\n`)).toEqual([]);
  });

  test('a cell a formula-neutraliser prefixed with an apostrophe is read without it', () => {
    for (const hostile of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x']) expect(unNeutraliseCell(String(neutraliseCell(hostile)))).toBe(hostile);
    expect(unNeutraliseCell("'plain")).toBe("'plain");
    expect(unNeutraliseCell("'5")).toBe("'5");
    const notes = '=HYPERLINK("http://x")';
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: { ...example, notes } }]);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect((parseBulkCsv(csv)[0]!.body as DailyReturnInput).notes).toBe(notes);
    // Our writers never prefix a number; a cell written '-5 by another is -5, then out of range.
    const negative = csv.replace(',41,', ",'-5,");
    expect(check(parseBulkCsv(negative)).errors).toEqual([{ path: 'rows[0].beds.occupied', message: 'must be 0 or more' }]);
  });

  test('a date as a UK spreadsheet saves it (01/12/2026) is read as that day', () => {
    const [day, month, year] = [TODAY.slice(8), TODAY.slice(5, 7), TODAY.slice(0, 4)];
    const csv = csvOf([{ locationId: HOME, reportDate: TODAY, figures: example }]).replace(`,${TODAY},`, `,${Number(day)}/${month}/${year},`);
    expect(parseBulkCsv(csv)[0]!.reportDate).toBe(TODAY);
  });
});

describe('checking rows', () => {
  const example = designExample();
  const row = (index: number, locationId: unknown, reportDate: unknown, body: unknown = example): CandidateRow => ({ row: index, locationId, reportDate, body, blank: false, cellErrors: [] });

  test('the date window of the PUT: not in the future, at most 7 days back', () => {
    const { rows, errors } = check([row(0, HOME, TODAY), row(1, HOME, addDays(TODAY, 1)), row(2, HOME, addDays(TODAY, -8)), row(3, HOME, '2026-02-30'), row(4, 'x', TODAY)]);
    expect(rows.map((r) => r.row)).toEqual([0]);
    expect(errors).toEqual([
      { path: 'rows[1].reportDate', message: expect.stringContaining('is in the future') },
      { path: 'rows[2].reportDate', message: expect.stringContaining('more than 7 days ago') },
      { path: 'rows[3].reportDate', message: 'is not a real calendar date' },
      { path: 'rows[4].locationId', message: 'must be a CQC ID such as 1-109570155' },
    ]);
  });

  test('the same location and day twice: the second row is the error', () => {
    const { errors } = check([row(0, HOME, TODAY), row(1, OTHER, TODAY), row(2, HOME, addDays(TODAY, -1)), row(3, HOME, TODAY)]);
    expect(errors).toEqual([{ path: 'rows[3]', message: 'is for the same location and day as rows[0]: an upload takes one return per location and day' }]);
  });

  test('every schema error of every row, each named by its row', () => {
    const { errors } = check([
      row(0, HOME, TODAY, { ...example, beds: { ...example.beds, vacantNotAdmittable: 2, notAdmittableReason: undefined } }),
      row(1, OTHER, TODAY, { ...example, colour: 'blue' }),
      row(2, '1-100000001', TODAY, 'not a return'),
    ]);
    expect(errors).toEqual([
      { path: 'rows[0].beds.notAdmittableReason', message: expect.stringContaining('is required when vacantNotAdmittable is above 0') },
      { path: 'rows[1].colour', message: 'is not a known field' },
      { path: 'rows[2].return', message: expect.any(String) },
    ]);
  });

  test('the location rules of the PUT, per row', () => {
    const hospice: Pick<Location, 'type' | 'categories'> = { type: 'hospice', categories: ['inpatient'] };
    const careHome: Pick<Location, 'type' | 'categories'> = { type: 'careHome', categories: ['residential', 'nursing'] };
    const { rows } = check([row(0, HOME, TODAY), row(1, OTHER, TODAY)]);
    const errors = bulkLocationRuleErrors(rows, new Map([[HOME, careHome], [OTHER, hospice]]));
    expect(errors.map((error) => error.path)).toEqual([...CARE_HOME_CATEGORIES.map((category) => `rows[1].vacancies.${category}`), 'rows[1].vacancies.inpatient']);
  });
});

describe('reading a JSON upload', () => {
  const example = designExample();

  test('items become rows, named rows[n] like the CSV form', () => {
    const rows = parseBulkJson({ items: [{ locationId: HOME, reportDate: TODAY, return: example }, { locationId: OTHER, reportDate: TODAY, return: { ...example, beds: { ...example.beds, occupied: -1 } } }] });
    expect(check(rows).errors).toEqual([{ path: 'rows[1].beds.occupied', message: 'must be 0 or more' }]);
  });

  test('the envelope and each item are closed; return is required', () => {
    expect(errorsOf(() => parseBulkJson({ rows: [] })).errors.map((e) => e.path).sort()).toEqual(['items', 'rows']);
    expect(errorsOf(() => parseBulkJson([])).status).toBe(400);
    expect(errorsOf(() => parseBulkJson({ items: [{ locationId: HOME, reportDate: TODAY, return: example, extra: 1 }, { locationId: HOME, reportDate: TODAY }] })).errors).toEqual([
      { path: 'rows[0].extra', message: 'is not a known field' },
      { path: 'rows[1].return', message: 'is required' },
    ]);
    expect(errorsOf(() => parseBulkJson({ items: Array.from({ length: MAX_BULK_ROWS + 1 }, () => ({})) })).errors).toEqual([{ path: 'items', message: `must have at most ${MAX_BULK_ROWS} rows` }]);
  });

  test('accepts and refuses exactly what the schema of the OpenAPI document does', () => {
    const bodies = [
      { items: [] },
      { items: [{ locationId: HOME, reportDate: TODAY, return: example }] },
      { items: [{ locationId: HOME, reportDate: '2026-02-30', return: example }] },
      { items: [{ locationId: HOME, reportDate: TODAY, return: { ...example, visiting: 'x' } }] },
      { items: [{ locationId: 'x', reportDate: TODAY, return: example }] },
      { items: [{ locationId: HOME, reportDate: TODAY }] },
      { items: [1] },
    ];
    for (const body of bodies) {
      let ours: boolean;
      try {
        ours = checkBulkRows(parseBulkJson(body), new Date(`${TODAY}T12:00:00Z`)).errors.length === 0;
      } catch {
        ours = false;
      }
      expect(ours, JSON.stringify(body)).toBe(BulkUploadJson.safeParse(body).success);
    }
  });
});

describe('the template', () => {
  const example = designExample();
  const location = { locationId: HOME, name: '=Oak House', categories: ['residential', 'nursing'] } as const;

  test('only the categories the location reports are filled; a location with no return has empty figures', () => {
    const cells = templateRow(location, example, TODAY);
    const at = (column: string) => cells[BULK_COLUMNS.indexOf(column)];
    expect([at('locationId'), at('reportDate'), at('name')]).toEqual([HOME, TODAY, '=Oak House']);
    expect(at('vacancies.residential.female')).toBe(1);
    expect(at('vacancies.nursing.any')).toBe(2);
    expect(at('vacancies.dementiaNursing.any')).toBe('');
    expect(at('outbreak.active')).toBe(false);
    const empty = templateRow(location, undefined, TODAY);
    expect(empty.slice(3).every((cell) => cell === '')).toBe(true);
  });

  test('a template, as the route writes it (BOM, CRLF, neutralised), reads back as the same figures and passes every check', () => {
    const latest = { ...example, notes: '-see the rota, =not a formula' };
    const csv = '\ufeff' + toCsv(BULK_COLUMNS, [templateRow(location, latest, TODAY), templateRow({ ...location, locationId: OTHER }, undefined, TODAY)]);
    expect(csv).toContain("'=Oak House");
    expect(csv).toContain("'-see the rota");
    const rows = parseBulkCsv(Buffer.from(csv, 'utf8'));
    const { dementiaResidential: _a, dementiaNursing: _b, mentalHealth: _c, learningDisability: _d, ...reported } = example.vacancies;
    expect(rows[0]!.body).toEqual({ ...latest, vacancies: reported });
    expect(rows[1]).toMatchObject({ blank: true, locationId: OTHER });
    const checked = check(rows);
    expect(checked.errors).toEqual([]);
    expect(bulkLocationRuleErrors(checked.rows, new Map([[HOME, { type: 'careHome' as const, categories: [...location.categories] }]]))).toEqual([]);
  });
});

describe('the answer', () => {
  test('lists at most MAX_LISTED_ERRORS errors of a file that is wrong throughout', () => {
    const rows = Array.from({ length: MAX_BULK_ROWS }, (_, index): CandidateRow => ({ row: index, locationId: 'x', reportDate: 'y', body: {}, blank: false, cellErrors: [] }));
    const { errors } = check(rows);
    expect(errors.length).toBeGreaterThan(MAX_LISTED_ERRORS);
    const problem = invalidRows(errors);
    expect(problem.status).toBe(400);
    expect(problem.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(problem.message).toContain(`The first ${MAX_LISTED_ERRORS} of ${errors.length} problems are listed.`);
  });

  test('500 rows with every warning there is fit easily in an idempotency record (a DynamoDB item is at most 400 KB)', () => {
    const codes = ['categoryNotRegistered', 'bedsAboveRegistered', 'absentAboveEmployed', 'covidAbsentAboveAbsent', 'casesWithoutOutbreak', 'largeSwing'];
    const items = Array.from({ length: MAX_BULK_ROWS }, (_, row) => BulkRowResult.parse({ row, locationId: '1-12345678901', reportDate: TODAY, status: 201, version: 999_999, warnings: codes }));
    expect(Buffer.byteLength(JSON.stringify({ items }))).toBeLessThan(200 * 1024);
  });
});
