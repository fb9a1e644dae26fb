import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, test } from 'vitest';
import type { Principal } from '#shared/model/access/identity';
import { ProblemError } from '#shared/model/errors';
import {
  bodyFingerprint,
  callerOf,
  canonicalJson,
  IDEMPOTENCY_EXPIRY_SECONDS,
  idempotencyKeyFrom,
  idempotencyPayload,
} from '#shared/http/idempotency-key';
import { toProblemResponse } from '#shared/http/response';

const admin: Principal = { kind: 'user', userId: 'admin', role: 'admin', areas: [] };
const link: Principal = { kind: 'updateLink', userId: 'update-link:abc', tokenId: 'abc', locationId: '1-109000000' };

function event(overrides: { headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean; method?: string; path?: string; query?: string } = {}) {
  return {
    rawPath: overrides.path ?? '/v1/locations/1-109000000/returns/2026-11-22',
    rawQueryString: overrides.query ?? '',
    headers: overrides.headers ?? {},
    body: overrides.body,
    isBase64Encoded: overrides.isBase64Encoded ?? false,
    requestContext: { http: { method: overrides.method ?? 'PUT' } },
  } as unknown as APIGatewayProxyEventV2;
}

function badKey(headers: Record<string, string>) {
  try {
    idempotencyKeyFrom(headers);
  } catch (error) {
    return error as ProblemError;
  }
  throw new Error('expected a 400');
}

describe('idempotencyKeyFrom', () => {
  test('absent is undefined: the request is served as without idempotency', () => {
    expect(idempotencyKeyFrom({})).toBeUndefined();
    expect(idempotencyKeyFrom({ 'if-match': '"1"' })).toBeUndefined();
  });

  test('a bare key and the draft\'s quoted form (an sf-string) are the same key', () => {
    expect(idempotencyKeyFrom({ 'idempotency-key': '8e03978e-40d5-43e8-bc93-6894a57f9324' })).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(idempotencyKeyFrom({ 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' })).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(idempotencyKeyFrom({ 'idempotency-key': '  spaced  ' })).toBe('spaced');
    expect(idempotencyKeyFrom({ 'idempotency-key': '"a \\"quoted\\" \\\\ key"' })).toBe('a "quoted" \\ key');
  });

  test('1 to 255 printable ASCII characters, inside the quotes if quoted', () => {
    expect(idempotencyKeyFrom({ 'idempotency-key': 'x' })).toBe('x');
    expect(idempotencyKeyFrom({ 'idempotency-key': 'x'.repeat(255) })).toHaveLength(255);
    expect(idempotencyKeyFrom({ 'idempotency-key': `"${'x'.repeat(255)}"` })).toHaveLength(255);
    expect(idempotencyKeyFrom({ 'idempotency-key': ' !~{}[]|' })).toBe('!~{}[]|');
  });

  test.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['an empty quoted string', '""'],
    ['256 characters', 'x'.repeat(256)],
    ['256 characters quoted', `"${'x'.repeat(256)}"`],
    ['a non-ASCII character', 'café'],
    ['a control character', 'a\u0001b'],
    ['a tab', 'a\tb'],
  ])('%s is a 400 at headers.idempotency-key', (_name, value) => {
    const error = badKey({ 'idempotency-key': value });
    expect(error).toBeInstanceOf(ProblemError);
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([{ path: 'headers.idempotency-key', message: 'must be 1 to 255 printable ASCII characters, such as a UUID' }]);
  });
});

describe('the scope: whose key it is', () => {
  test('the principal kind and id: a user and an update link never share a scope', () => {
    expect(callerOf(admin)).toBe('user:admin');
    expect(callerOf(link)).toBe('updateLink:update-link:abc');
    expect(callerOf({ kind: 'user', userId: 'update-link:abc', role: 'provider', areas: [] })).not.toBe(callerOf(link));
  });

  test('the payload: scope keys the record (caller and key only); the request is its fingerprint', () => {
    const payload = idempotencyPayload(
      event({ headers: { 'idempotency-key': 'k1', 'if-match': ' "2" ', 'content-type': 'application/json' }, body: '{"b":1,"a":[2,{"d":1,"c":0}]}', query: 'x=1' }),
      admin,
    );
    expect(payload).toEqual({
      scope: { caller: 'user:admin', key: 'k1' },
      request: {
        method: 'PUT',
        path: '/v1/locations/1-109000000/returns/2026-11-22',
        query: 'x=1',
        ifMatch: '"2"',
        body: { json: '{"a":[2,{"c":0,"d":1}],"b":1}' },
      },
    });
  });

  test('no key, no payload; a bad key throws before anything is read', () => {
    expect(idempotencyPayload(event(), admin)).toBeUndefined();
    expect(() => idempotencyPayload(event({ headers: { 'idempotency-key': '' } }), admin)).toThrow(ProblemError);
  });

  test('the same request by another caller has the same fingerprint but another scope', () => {
    const a = idempotencyPayload(event({ headers: { 'idempotency-key': 'k' }, body: '{}' }), admin)!;
    const b = idempotencyPayload(event({ headers: { 'idempotency-key': 'k' }, body: '{}' }), link)!;
    expect(a.request).toEqual(b.request);
    expect(a.scope).not.toEqual(b.scope);
  });

  test('kept for 24 hours', () => {
    expect(IDEMPOTENCY_EXPIRY_SECONDS).toBe(86_400);
  });
});

describe('bodyFingerprint', () => {
  test('JSON by value: key order and spacing do not matter, values and array order do', () => {
    const of = (body: string) => bodyFingerprint({ body, isBase64Encoded: false });
    expect(of('{"a":1,"b":{"y":2,"x":1}}')).toEqual(of('{ "b": { "x": 1, "y": 2 },\n  "a": 1 }'));
    expect(of('{"a":1}')).not.toEqual(of('{"a":2}'));
    expect(of('[1,2]')).not.toEqual(of('[2,1]'));
    expect(of('"1"')).not.toEqual(of('1'));
  });

  test('base64-encoded JSON is the same as the text; anything else is compared as bytes', () => {
    const text = '{"locationId":"1-109000000"}';
    expect(bodyFingerprint({ body: Buffer.from(text).toString('base64'), isBase64Encoded: true })).toEqual(bodyFingerprint({ body: text, isBase64Encoded: false }));
    expect(bodyFingerprint({ body: 'a=1', isBase64Encoded: false })).toEqual({ base64: Buffer.from('a=1').toString('base64') });
    expect(bodyFingerprint({ body: '{"a":', isBase64Encoded: false })).not.toEqual(bodyFingerprint({ body: '{"a":}', isBase64Encoded: false }));
  });

  test('no body is null (confirm); an empty object is not the same request', () => {
    expect(bodyFingerprint({ body: undefined, isBase64Encoded: false } as never)).toBeNull();
    expect(bodyFingerprint({ body: '', isBase64Encoded: false })).toBeNull();
    expect(bodyFingerprint({ body: '{}', isBase64Encoded: false })).toEqual({ json: '{}' });
  });

  test('a "__proto__" member is kept like any other key', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":1}'))).toBe('{"__proto__":{"x":1},"a":1}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1}}'))).not.toBe(canonicalJson(JSON.parse('{"__proto__":{"y":1}}')));
  });
});

describe('idempotency errors are problem+json, mapped in toProblemResponse', () => {
  test('a key used for a different request: 422', () => {
    const response = toProblemResponse(new IdempotencyValidationError('Payload does not match stored record for this event key'), '/v1/registrations');
    expect(response.statusCode).toBe(422);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 422, title: 'Idempotency key already used', instance: '/v1/registrations', detail: expect.stringMatching(/different request/) });
  });

  test('the first request still running (or its record changing under us): 409 with Retry-After', () => {
    for (const error of [new IdempotencyAlreadyInProgressError('in progress'), new IdempotencyInconsistentStateError('inconsistent')]) {
      const response = toProblemResponse(error);
      expect(response.statusCode).toBe(409);
      expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    }
  });

  test('DynamoDB throttling the idempotency table is a 503; any other persistence failure is ours, a 500', () => {
    const throttled = new IdempotencyPersistenceLayerError('Failed to save in progress record', { cause: Object.assign(new Error('slow down'), { name: 'ThrottlingException' }) });
    expect(toProblemResponse(throttled)).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
    expect(toProblemResponse(new IdempotencyPersistenceLayerError('Failed', { cause: new Error('broken') })).statusCode).toBe(500);
  });
});
