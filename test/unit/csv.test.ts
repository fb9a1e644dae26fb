import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { acceptsGzip, csvResponse, neutraliseCell, RESPONSE_BODY_LIMIT_BYTES, toCsv } from '#shared/http/csv';
import { ProblemError } from '#shared/model/errors';

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

  test('gzip is taken only when the client accepts it (q=0 refuses, * accepts)', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, GZIP;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('deflate')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  test('an export too big for a Lambda response uncompressed is a 406 that says to ask for gzip, and is sent compressed when asked', () => {
    // ~7 MB of rows that compress well, as a national export does.
    const big = 'E08000004,2026-11-22,456,123,40,10,12,3000\r\n'.repeat(Math.ceil((7 * 2 ** 20) / 44));
    expect(Buffer.byteLength(big)).toBeGreaterThan(RESPONSE_BODY_LIMIT_BYTES);
    const refused = (() => {
      try {
        csvResponse('big.csv', big, undefined);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).status).toBe(406);
    expect((refused as ProblemError).message + JSON.stringify(refused)).toMatch(/Accept-Encoding: gzip/);
    const zipped = csvResponse('big.csv', big, 'gzip');
    expect(zipped.body!.length).toBeLessThan(RESPONSE_BODY_LIMIT_BYTES);
    expect(gunzipSync(Buffer.from(zipped.body!, 'base64')).toString()).toBe(big);
  });

  test('an export too big even compressed is a 422 asking for a shorter range', () => {
    const random = randomBytes(RESPONSE_BODY_LIMIT_BYTES).toString("base64");
    expect(() => csvResponse('huge.csv', random, 'gzip')).toThrow(/shorter range/);
  });
});
