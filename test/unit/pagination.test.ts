import { describe, expect, test } from 'vitest';
import { decodePageToken, encodePageToken, requireStartKeyWithin } from '#shared/repositories/pagination';
import { expectProblem } from './fixtures';

const KEY = ['locationId', 'reportDate'] as const;
const tokenOf = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function expectInvalid(token: string) {
  const problem = expectProblem(() => decodePageToken(token, KEY));
  expect(problem.errors).toEqual([{ path: 'query.nextToken', message: expect.any(String) }]);
}

describe('page tokens', () => {
  test('a LastEvaluatedKey survives the round trip', () => {
    const key = { locationId: '1-109570155', reportDate: '2026-11-22' };
    const token = encodePageToken(key);
    expect(token).toEqual(expect.any(String));
    expect(decodePageToken(token!, KEY)).toEqual(key);
  });

  test('the token is URL-safe, so it can go in a query string as is', () => {
    const token = encodePageToken({ locationId: '1-109570155', listingKey: 'careHome#1-109570155??>>~~', localAuthority: 'E08000004' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test('the order of attributes does not matter', () => {
    expect(decodePageToken(tokenOf({ reportDate: '2026-11-22', locationId: '1-109570155' }), KEY)).toEqual({
      locationId: '1-109570155',
      reportDate: '2026-11-22',
    });
  });

  test('no LastEvaluatedKey means no next page', () => {
    expect(encodePageToken(undefined)).toBeNull();
  });

  test('no token means start from the beginning', () => {
    expect(decodePageToken(undefined, KEY)).toBeUndefined();
  });

  test.each([
    ['junk that is not base64', '!!!not a token!!!'],
    ['base64 that is not JSON', Buffer.from('hello', 'utf8').toString('base64url')],
    ['a JSON array', tokenOf(['1-109570155', '2026-11-22'])],
    ['JSON null', tokenOf(null)],
    ['a JSON string', tokenOf('1-109570155')],
    ['a missing attribute', tokenOf({ locationId: '1-109570155' })],
    ['the wrong attributes', tokenOf({ locationId: '1-109570155', versionKey: '2026-11-22#000001' })],
    ['an extra attribute', tokenOf({ locationId: '1-109570155', reportDate: '2026-11-22', admin: 'yes' })],
    ['a number value', tokenOf({ locationId: '1-109570155', reportDate: 20261122 })],
    ['an object value', tokenOf({ locationId: { S: '1-109570155' }, reportDate: '2026-11-22' })],
    ['an empty value', tokenOf({ locationId: '', reportDate: '2026-11-22' })],
    ['an overlong value', tokenOf({ locationId: '1-109570155', reportDate: 'x'.repeat(257) })],
  ])('refuses %s with a 400 on query.nextToken', (_label, token) => {
    expectInvalid(token);
  });

  test('a value of 256 characters is still accepted', () => {
    const key = { locationId: '1-109570155', reportDate: 'x'.repeat(256) };
    expect(decodePageToken(tokenOf(key), KEY)).toEqual(key);
  });
});

describe('a start key within the range asked for (fuzzing found DynamoDB refusing the query: a 500)', () => {
  const key = (reportDate: string) => ({ locationId: '1-109570155', reportDate });
  test('inside the range, or at either end, it passes', () => {
    for (const day of ['2026-11-01', '2026-11-15', '2026-11-30']) expect(() => requireStartKeyWithin(key(day), 'reportDate', { from: '2026-11-01', to: '2026-11-30' })).not.toThrow();
    expect(() => requireStartKeyWithin(undefined, 'reportDate', { from: '2026-11-01' })).not.toThrow();
    expect(() => requireStartKeyWithin(key('0000'), 'reportDate', {})).not.toThrow();
  });

  test('before the start or after the end, it is a 400 at query.nextToken', () => {
    for (const [day, range] of [
      ['2026-10-31', { from: '2026-11-01', to: '2026-11-30' }],
      ['2026-12-01', { from: '2026-11-01', to: '2026-11-30' }],
      ['~', { to: '2026-11-30' }],
      ['$where', { from: '2026-11-01' }],
    ] as const) {
      const problem = expectProblem(() => requireStartKeyWithin(key(day), 'reportDate', range));
      expect(problem.errors).toEqual([{ path: 'query.nextToken', message: expect.any(String) }]);
    }
  });

  test('strings compare by their UTF-8 bytes, as DynamoDB compares them', () => {
    // U+FF5E sorts before U+1F600 in UTF-8, after it in UTF-16 code units.
    expect(() => requireStartKeyWithin(key('\uff5e'), 'reportDate', { to: '\u{1f600}' })).not.toThrow();
    expectProblem(() => requireStartKeyWithin(key('\u{1f600}'), 'reportDate', { to: '\uff5e' }));
  });
});
