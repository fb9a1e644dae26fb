import { gzipSync } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula; a
 * leading apostrophe makes it plain text. Numbers are left alone: a negative number is not an attack.
 */
export function neutraliseCell(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180 (CRLF, quoting where needed), UTF-8, with a header row. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify(
    rows.map((row) => row.map(neutraliseCell)),
    { header: true, columns: [...header], record_delimiter: 'windows', cast: { boolean: (value) => String(value) } },
  );
}

/**
 * A CSV download. Compressed when the client accepts it: Lambda answers API Gateway with at most 6 MB,
 * and a national export is mostly repeated digits and commas.
 */
export function csvResponse(filename: string, csv: string, acceptEncoding: string | undefined): APIGatewayProxyStructuredResultV2 {
  const headers = {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (acceptEncoding && /\bgzip\b/.test(acceptEncoding)) {
    return { statusCode: 200, headers: { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' }, body: gzipSync(csv).toString('base64'), isBase64Encoded: true };
  }
  return { statusCode: 200, headers, body: csv };
}
