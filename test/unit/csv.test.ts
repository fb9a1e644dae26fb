import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { csvResponse, neutraliseCell, toCsv } from '../../shared/http/csv';

describe('CSV', () => {
  test('cells a spreadsheet would run as a formula are made plain text; numbers are left alone', () => {
    for (const hostile of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x']) expect(neutraliseCell(hostile)).toBe(`'${hostile}`);
    expect(neutraliseCell('Oak House')).toBe('Oak House');
    expect(neutraliseCell(-3)).toBe(-3);
  });

  test('RFC 4180: a header, CRLF line ends, quotes where needed, and it parses back to the same cells', () => {
    const csv = toCsv(['name', 'count', 'flag'], [['Oak, "The" House', 3, true], ['=HYPERLINK("x")', -1, false]]);
    expect(csv.startsWith('name,count,flag\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parse(csv, { columns: true })).toEqual([
      { name: 'Oak, "The" House', count: '3', flag: 'true' },
      { name: `'=HYPERLINK("x")`, count: '-1', flag: 'false' },
    ]);
  });

  test('compressed only when the client accepts gzip', () => {
    const plain = csvResponse('a.csv', 'x,y\r\n', undefined);
    expect(plain.body).toBe('x,y\r\n');
    const zipped = csvResponse('a.csv', 'x,y\r\n', 'gzip, deflate, br');
    expect(zipped.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-type': 'text/csv; charset=utf-8' });
    expect(gunzipSync(Buffer.from(zipped.body!, 'base64')).toString()).toBe('x,y\r\n');
  });
});
