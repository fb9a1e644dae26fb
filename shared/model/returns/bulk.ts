/**
 * The bulk upload of daily returns (DESIGN §10.2), as pure functions: the CSV columns (the §5 fields
 * flattened with dots), reading a CSV or JSON body into rows, checking every row as its PUT would be
 * checked (schema, date window, location rules), and flattening a return back into a template row.
 * Nothing here reads or writes storage; `shared/services/returns/bulk.ts` does that.
 *
 * Rows are counted from 0 in the data: the CSV's first record after the header (or `items[0]`) is
 * `rows[0]`, and errors name a field of a row as `rows[12].vacancies.nursing.male`. Every record counts,
 * blank ones too, so `rows[n]` is spreadsheet row n + 2 (unless a cell above holds a line break).
 */
import { parse } from 'csv-parse/sync';
import { ProblemError, problems } from '#shared/model/errors';
import { fieldErrorsFromZod } from '#shared/model/errors';
import { CalendarDate, LocationId } from '#shared/model/schemas/common';
import { VACANCY_CATEGORIES, type Location, type VacancyCategory } from '#shared/model/schemas/location';
import type { ProblemFieldError } from '#shared/model/schemas/problem';
import { DailyReturnInput, PPE_ITEMS } from '#shared/model/schemas/return';
import { BulkUploadEnvelope, BulkUploadItemShape, MAX_BULK_ROWS } from '#shared/model/schemas/bulk';
import { locationRuleErrors } from '#shared/model/returns/location-rules';
import { reportDateProblem } from '#shared/model/returns/report-date';

// ---------------------------------------------------------------------------------------------------
// The columns

const SEXES = ['male', 'female', 'any'] as const;

type ColumnKind = 'count' | 'boolean' | 'choice' | 'text';

/** The §5 answers, one column each, in the template's order, with how a cell is read. */
const RETURN_COLUMN_KINDS: ReadonlyArray<readonly [string, ColumnKind]> = [
  ...VACANCY_CATEGORIES.flatMap((category) => SEXES.map((sex) => [`vacancies.${category}.${sex}`, 'count'] as const)),
  ['beds.occupied', 'count'],
  ['beds.vacantReserved', 'count'],
  ['beds.vacantNotAdmittable', 'count'],
  ['beds.notAdmittableReason', 'choice'],
  ['admissions.status', 'choice'],
  ['admissions.reason', 'choice'],
  ['outbreak.active', 'boolean'],
  ['outbreak.residentsConfirmed', 'count'],
  ['outbreak.residentsSuspected', 'count'],
  ['outbreak.staffConfirmed', 'count'],
  ['workforce.staffEmployed', 'count'],
  ['workforce.staffAbsent', 'count'],
  ['workforce.staffAbsentCovid', 'count'],
  ['workforce.agencyStaffShifts', 'count'],
  ...PPE_ITEMS.map((item) => [`ppe.${item}`, 'count'] as const),
  ['visiting', 'choice'],
  ['notes', 'text'],
];
const KIND_OF = new Map<string, ColumnKind>(RETURN_COLUMN_KINDS);

/** The columns of a return's answers, flattened with dots. */
export const RETURN_COLUMNS: readonly string[] = RETURN_COLUMN_KINDS.map(([column]) => column);

/**
 * Which row is which location is written in the template for people to read; an upload ignores it
 * (and may leave it out).
 */
export const NAME_COLUMN = 'name';

/** The template's columns, which are the columns an upload may have (in any order; only the first two are required). */
export const BULK_COLUMNS: readonly string[] = ['locationId', 'reportDate', NAME_COLUMN, ...RETURN_COLUMNS];
const KNOWN_COLUMNS = new Set(BULK_COLUMNS);

// ---------------------------------------------------------------------------------------------------
// Paths and problems

/** `rows[3]`, `rows[3].beds.occupied`. */
export function rowPath(row: number, path = ''): string {
  return path === '' ? `rows[${row}]` : `rows[${row}].${path}`;
}

/** A 500-row file that is wrong throughout would list thousands of errors; the answer lists the first of them. */
export const MAX_LISTED_ERRORS = 200;

/** A problem that names rows: the errors in row order, at most MAX_LISTED_ERRORS of them (the detail says how many in all). */
export function rowsProblem(
  kind: { status: 400 | 403 | 404 | 409; title: string; slug: string },
  errors: readonly ProblemFieldError[],
  detail: string,
): ProblemError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const more = errors.length > listed.length ? ` The first ${listed.length} of ${errors.length} problems are listed.` : '';
  return new ProblemError({ ...kind, detail: `${detail}${more}`, errors: listed });
}

const NOTHING_WRITTEN = 'Nothing was written: every row is checked before any is.';
export const invalidRows = (errors: readonly ProblemFieldError[]) =>
  rowsProblem({ status: 400, title: 'Invalid request', slug: 'validation' }, errors, `Some rows are not valid. ${NOTHING_WRITTEN}`);

// ---------------------------------------------------------------------------------------------------
// Reading a body into rows

/** A row as read from the body, before it is checked. */
export interface CandidateRow {
  /** Counted from 0 in the data. */
  row: number;
  locationId: unknown;
  reportDate: unknown;
  /** The §5 body: un-flattened from the CSV cells, or the JSON item's `return`. */
  body: unknown;
  /** A CSV row with a location and day but no figures at all: skipped (answered 204), nothing written. */
  blank: boolean;
  /** Cells that could not be read (`true`/`false`, whole numbers), already named by their row path. */
  cellErrors: ProblemFieldError[];
}

/**
 * A spreadsheet-safe writer (ours: `neutraliseCell` in shared/model/csv.ts) puts an apostrophe before a cell
 * that starts with = + - @ tab or CR, so a spreadsheet shows it as text instead of running it. Read back,
 * that apostrophe is dropped, whatever the column: the template writes a note `=see rota` as `'=see rota`
 * and reads it back as `=see rota`. Numbers are never prefixed by our writers (a negative number is not
 * an attack), and `'-5` read as a count is -5 (then "must be 0 or more"). An apostrophe before anything
 * else is part of the cell.
 */
export function unNeutraliseCell(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

const WHOLE_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** One cell as the schema wants it, or why it cannot be; undefined when the cell is empty ("not given"). */
function readCell(kind: ColumnKind, raw: string): { value: unknown } | { error: string } | undefined {
  const cell = unNeutraliseCell(raw);
  const trimmed = cell.trim();
  if (trimmed === '') return undefined;
  switch (kind) {
    case 'count':
      // Whole numbers as digits; "1.0" is read as 1, "1.5" then fails the schema as not whole.
      return WHOLE_NUMBER.test(trimmed) ? { value: Number(trimmed) } : { error: 'must be a whole number' };
    case 'boolean': {
      // Spreadsheets write TRUE and FALSE.
      const lower = trimmed.toLowerCase();
      return lower === 'true' ? { value: true } : lower === 'false' ? { value: false } : { error: 'must be true or false' };
    }
    case 'choice':
      return { value: trimmed };
    case 'text':
      return { value: cell };
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    node[segment] ??= {};
    node = node[segment] as Record<string, unknown>;
  }
  node[segments.at(-1)!] = value;
}

/** The §5 body of one CSV row: every non-empty cell at its dotted path, and the cells that could not be read. */
export function unflattenReturn(cells: Readonly<Record<string, string>>, row: number): { body: Record<string, unknown>; blank: boolean; cellErrors: ProblemFieldError[] } {
  const body: Record<string, unknown> = {};
  const cellErrors: ProblemFieldError[] = [];
  let blank = true;
  for (const [column, kind] of RETURN_COLUMN_KINDS) {
    const raw = cells[column];
    if (raw === undefined) continue;
    const read = readCell(kind, raw);
    if (read === undefined) continue;
    blank = false;
    if ('error' in read) cellErrors.push({ path: rowPath(row, column), message: read.error });
    else setPath(body, column, read.value);
  }
  return { body, blank, cellErrors };
}

/** The body's bytes as text: UTF-8, with or without a byte order mark (spreadsheets write one). */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw problems.validation(
      [{ path: '', message: 'is not UTF-8 text: save the file as "CSV UTF-8" (Excel) or with UTF-8 encoding' }],
      'The file is not UTF-8 text; nothing was written.',
    );
  }
}

/**
 * A spreadsheet in a UK locale saves the template's `2026-12-01` as `01/12/2026` (day first): read as
 * that day. The date window (at most 7 days back) catches a file from a month-first locale, whose
 * day and month, read the other way round, land weeks away.
 */
export function spreadsheetDate(cell: string | undefined): string | undefined {
  const match = cell === undefined ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(cell);
  if (!match) return cell;
  const [, day, month, year] = match as unknown as [string, string, string, string];
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/**
 * The rows of a CSV upload (RFC 4180: quoted cells may hold commas, quotes and line breaks; CRLF or LF;
 * UTF-8 with or without a BOM). The header names the columns, in any order: `locationId` and
 * `reportDate` are required, any other must be a template column. A record whose cells are all empty
 * (a blank line) is ignored but counted. Throws a 400 for a file it cannot read as rows.
 */
export function parseBulkCsv(input: string | Uint8Array): CandidateRow[] {
  const text = typeof input === 'string' ? input : decodeCsv(input);
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    // csv-parse counts the header as a record: the one it stopped in is data row records - 1.
    const read = (error as { records?: unknown }).records;
    const path = typeof read !== 'number' ? '' : read === 0 ? 'header' : rowPath(read - 1);
    throw problems.validation([{ path, message: `cannot be read as CSV (RFC 4180): ${detail}` }], 'The file is not valid CSV; nothing was written.');
  }
  const [header, ...data] = records;
  if (!header || header.every((cell) => cell.trim() === '')) {
    // An empty file is an upload of no rows.
    if (records.length === 0) return [];
    throw problems.validation([{ path: 'header', message: 'the first line must name the columns (download the template: GET /v1/returns/bulk/template.csv)' }]);
  }
  const columns = header.map((cell) => cell.trim());
  const headerErrors: ProblemFieldError[] = [];
  const seen = new Map<string, number>();
  columns.forEach((column, index) => {
    if (column === '') {
      // A spreadsheet may save a column with no name and nothing in it; one with something in it is an error.
      if (data.some((record) => (record[index] ?? '').trim() !== '')) headerErrors.push({ path: `header[${index}]`, message: 'a column with no name has cells filled in' });
      return;
    }
    if (!KNOWN_COLUMNS.has(column)) {
      headerErrors.push({ path: `header[${index}]`, message: `"${column}" is not a known column (the columns are those of the template: GET /v1/returns/bulk/template.csv)` });
    } else if (seen.has(column)) {
      headerErrors.push({ path: `header[${index}]`, message: `"${column}" is also column ${seen.get(column)}: each column may appear once` });
    } else seen.set(column, index);
  });
  for (const required of ['locationId', 'reportDate']) {
    if (!seen.has(required)) headerErrors.push({ path: 'header', message: `has no ${required} column` });
  }
  if (headerErrors.length > 0) throw problems.validation(headerErrors, 'The header row is not valid; nothing was written.');

  const rowCount = data.filter((record) => record.some((cell) => cell.trim() !== '')).length;
  if (rowCount > MAX_BULK_ROWS) {
    throw problems.validation([{ path: 'rows', message: `must be at most ${MAX_BULK_ROWS}; this file has ${rowCount}: split it into several uploads` }]);
  }

  const rows: CandidateRow[] = [];
  const cellErrors: ProblemFieldError[] = [];
  data.forEach((record, row) => {
    if (record.every((cell) => cell.trim() === '')) return;
    if (record.length !== columns.length) {
      cellErrors.push({ path: rowPath(row), message: `has ${record.length} cells; the header has ${columns.length} columns` });
      return;
    }
    const cells: Record<string, string> = {};
    columns.forEach((column, index) => {
      if (column !== '') cells[column] = record[index] ?? '';
    });
    const { body, blank, cellErrors: errors } = unflattenReturn(cells, row);
    const idCell = (column: string) => {
      const value = unNeutraliseCell(cells[column] ?? '').trim();
      return value === '' ? undefined : value;
    };
    rows.push({ row, locationId: idCell('locationId'), reportDate: spreadsheetDate(idCell('reportDate')), body, blank, cellErrors: errors });
  });
  // A row with the wrong number of cells cannot be read at all: said before anything about the rows' contents.
  if (cellErrors.length > 0) throw invalidRows(cellErrors);
  return rows;
}

/** The rows of a JSON upload, `{ "items": [ { "locationId", "reportDate", "return" } ] }`. Throws a 400 for a body of another shape. */
export function parseBulkJson(value: unknown): CandidateRow[] {
  const envelope = BulkUploadEnvelope.safeParse(value);
  if (!envelope.success) throw problems.validation(fieldErrorsFromZod(envelope.error));
  const rows: CandidateRow[] = [];
  const errors: ProblemFieldError[] = [];
  envelope.data.items.forEach((item, row) => {
    const shape = BulkUploadItemShape.safeParse(item);
    if (!shape.success) {
      for (const issue of fieldErrorsFromZod(shape.error)) errors.push({ path: rowPath(row, issue.path), message: issue.message });
      return;
    }
    if (shape.data.return === undefined) {
      errors.push({ path: rowPath(row, 'return'), message: 'is required' });
      return;
    }
    rows.push({ row, locationId: shape.data.locationId, reportDate: shape.data.reportDate, body: shape.data.return, blank: false, cellErrors: [] });
  });
  if (errors.length > 0) throw invalidRows(errors);
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// Checking rows

/** A row that passed every check that needs no storage. `input` undefined: a blank CSV row, skipped. */
export interface BulkRow {
  row: number;
  locationId: string;
  reportDate: string;
  input: DailyReturnInput | undefined;
}

/** The rows whose locationId is well formed, for the membership and directory checks. */
export function namedLocations(candidates: readonly CandidateRow[]): Array<{ row: number; locationId: string }> {
  return candidates.flatMap(({ row, locationId }) => (LocationId.safeParse(locationId).success ? [{ row, locationId: locationId as string }] : []));
}

/**
 * Every row checked as its PUT would be, without storage: the location id and date, the date window
 * (`reportDateProblem`, the PUT's own check), the §5 schema (`DailyReturnInput`), and one row per location
 * and day. Errors name the row; the rows that passed are returned either way.
 */
export function checkBulkRows(candidates: readonly CandidateRow[], now: Date): { rows: BulkRow[]; errors: ProblemFieldError[] } {
  const rows: BulkRow[] = [];
  const errors: ProblemFieldError[] = [];
  const firstRowOf = new Map<string, number>();
  for (const candidate of candidates) {
    const { row } = candidate;
    const rowErrors: ProblemFieldError[] = [];
    const id = LocationId.safeParse(candidate.locationId);
    if (!id.success) rowErrors.push(...fieldErrorsFromZod(id.error, [rowPath(row, 'locationId')]));
    const date = CalendarDate.safeParse(candidate.reportDate);
    if (!date.success) rowErrors.push(...fieldErrorsFromZod(date.error, [rowPath(row, 'reportDate')]));
    else {
      const problem = reportDateProblem(date.data, now);
      if (problem) rowErrors.push({ path: rowPath(row, 'reportDate'), message: problem });
    }
    let input: DailyReturnInput | undefined;
    if (!candidate.blank) {
      const parsed = DailyReturnInput.safeParse(candidate.body);
      // A cell that could not be read was left out, so the schema calls it missing: its own error says more.
      const unreadable = new Set(candidate.cellErrors.map((error) => error.path));
      rowErrors.push(...candidate.cellErrors);
      if (parsed.success) input = parsed.data;
      else {
        // A JSON item's `return` that is not an object at all is named as such.
        const named = fieldErrorsFromZod(parsed.error).map((error) => ({ path: rowPath(row, error.path === '' ? 'return' : error.path), message: error.message }));
        rowErrors.push(...named.filter((error) => !unreadable.has(error.path)));
      }
    }
    if (id.success && date.success) {
      const key = `${id.data}#${date.data}`;
      const first = firstRowOf.get(key);
      if (first !== undefined) rowErrors.push({ path: rowPath(row), message: `is for the same location and day as ${rowPath(first)}: an upload takes one return per location and day` });
      else firstRowOf.set(key, row);
    }
    if (rowErrors.length > 0) errors.push(...rowErrors);
    else rows.push({ row, locationId: id.data!, reportDate: date.data!, input });
  }
  return { rows, errors };
}

/** The location rules (`locationRuleErrors`, the PUT's own) for each row whose location is known. */
export function bulkLocationRuleErrors(rows: readonly BulkRow[], locations: ReadonlyMap<string, Pick<Location, 'type' | 'categories'>>): ProblemFieldError[] {
  return rows.flatMap(({ row, locationId, input }) => {
    const location = locations.get(locationId);
    if (!location || !input) return [];
    return locationRuleErrors(input, location).map((error) => ({ path: rowPath(row, error.path), message: error.message }));
  });
}

// ---------------------------------------------------------------------------------------------------
// The template

/** One cell per column of BULK_COLUMNS. */
export type TemplateCell = string | number | boolean;

function valueAt(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const segment of path) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  return node;
}

// Split once: an export flattens a million returns.
const RETURN_COLUMN_PATHS = RETURN_COLUMNS.map((column) => column.split('.'));

/**
 * A return as one row of the columns of BULK_COLUMNS (empty cells for what it does not have). The
 * template passes only the categories the location reports; neutralising cells for spreadsheets is the
 * CSV writer's job.
 */
export function flattenReturn(row: { locationId: string; reportDate: string; name?: string }, figures: DailyReturnInput | undefined): TemplateCell[] {
  return [
    row.locationId,
    row.reportDate,
    row.name ?? '',
    ...RETURN_COLUMN_PATHS.map((path) => {
      const value = figures ? valueAt(figures, path) : undefined;
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : '';
    }),
  ];
}

/** The template's row of a location: today's date and its latest figures, only for the categories it reports. */
export function templateRow(location: { locationId: string; name: string; categories: readonly VacancyCategory[] }, latest: DailyReturnInput | undefined, reportDate: string): TemplateCell[] {
  const figures = latest && {
    ...latest,
    vacancies: Object.fromEntries(Object.entries(latest.vacancies).filter(([category]) => (location.categories as readonly string[]).includes(category))),
  };
  return flattenReturn({ locationId: location.locationId, reportDate, name: location.name }, figures);
}

/** What kind of cell a column holds (for tests and docs). */
export function columnKind(column: string): ColumnKind | undefined {
  return KIND_OF.get(column);
}
