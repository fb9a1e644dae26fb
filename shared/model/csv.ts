/** CSV as the exports write it (DESIGN §6): the rules, for the HTTP answers and the export files alike. */

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula; a
 * leading apostrophe makes it plain text. Numbers are left alone: a negative number is not an attack.
 */
export function neutraliseCell(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180 (CRLF, quoting where needed), UTF-8, with a header row: for a whole file and for a stream alike. */
export const csvOptions = (header: readonly string[]) =>
  ({ header: true, columns: [...header], record_delimiter: 'windows', cast: { boolean: (value: boolean) => String(value) } }) as const;
