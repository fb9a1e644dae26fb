import { describe, expect, test } from 'vitest';
import { fromLambdaResult, toApiGatewayEvent, type IncomingRequest } from '#scripts/local/api-event';

const putPath = '/v1/locations/1-109570155/returns/2026-11-22';
const match = { routeKey: 'PUT /v1/locations/{locationId}/returns/{reportDate}', pathParameters: { locationId: '1-109570155', reportDate: '2026-11-22' } };

function request(overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: 'put',
    url: putPath,
    headers: { host: 'localhost:3000', 'content-type': 'application/json' },
    body: Buffer.from('{"visiting":"open"}', 'utf8'),
    sourceIp: '127.0.0.1',
    ...overrides,
  };
}

describe('toApiGatewayEvent', () => {
  test('is a payload format 2.0 event for the matched route', () => {
    const event = toApiGatewayEvent(request(), match, undefined);
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe(match.routeKey);
    expect(event.requestContext.routeKey).toBe(match.routeKey);
    expect(event.requestContext.http.method).toBe('PUT');
    expect(event.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(event.pathParameters).toEqual(match.pathParameters);
  });

  test('splits the URL into rawPath and rawQueryString', () => {
    const event = toApiGatewayEvent(request({ method: 'GET', url: '/v1/locations?area=E08000004&type=careHome' }), { routeKey: 'GET /v1/locations' }, undefined);
    expect(event.rawPath).toBe('/v1/locations');
    expect(event.requestContext.http.path).toBe('/v1/locations');
    expect(event.rawQueryString).toBe('area=E08000004&type=careHome');
    expect(event.queryStringParameters).toEqual({ area: 'E08000004', type: 'careHome' });
  });

  test('with no query string, rawQueryString is empty and there are no query parameters', () => {
    const event = toApiGatewayEvent(request(), match, undefined);
    expect(event.rawPath).toBe(putPath);
    expect(event.rawQueryString).toBe('');
    expect(event.queryStringParameters).toBeUndefined();
  });

  test('repeated query parameters are comma-joined, and values are decoded', () => {
    const event = toApiGatewayEvent(request({ url: '/v1/vacancies?category=nursing&category=residential&note=a%20b' }), { routeKey: 'GET /v1/vacancies' }, undefined);
    expect(event.queryStringParameters).toEqual({ category: 'nursing,residential', note: 'a b' });
  });

  test('a parameter named like an Object.prototype member is passed on as one (fuzzing found __proto__ dropped)', () => {
    const event = toApiGatewayEvent(request({ url: '/v1/aggregates?__proto__=x&constructor=y&level=region&__proto__=z' }), { routeKey: 'GET /v1/aggregates' }, undefined);
    expect(Object.keys(event.queryStringParameters ?? {})).toEqual(['__proto__', 'constructor', 'level']);
    expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, '__proto__')?.value).toBe('x,z');
    expect(Object.getPrototypeOf(event.queryStringParameters)).toBe(Object.prototype);
  });

  test('header names are lower-cased and repeated headers comma-joined', () => {
    const event = toApiGatewayEvent(
      request({ headers: { 'Content-Type': 'application/json', 'If-Match': '"2"', 'X-Forwarded-For': ['1.1.1.1', '2.2.2.2'] } }),
      match,
      undefined,
    );
    expect(event.headers).toEqual({ 'content-type': 'application/json', 'if-match': '"2"', 'x-forwarded-for': '1.1.1.1,2.2.2.2' });
  });

  test('cookies are split out of the headers', () => {
    const event = toApiGatewayEvent(request({ headers: { cookie: 'session=abc; theme=dark', 'content-type': 'application/json' } }), match, undefined);
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.headers.cookie).toBeUndefined();
  });

  test('no cookie header, no cookies', () => {
    expect(toApiGatewayEvent(request(), match, undefined).cookies).toBeUndefined();
  });

  test('a JSON body is passed as text', () => {
    const event = toApiGatewayEvent(request(), match, undefined);
    expect(event.body).toBe('{"visiting":"open"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  test('a JSON body with a charset is still text', () => {
    const event = toApiGatewayEvent(request({ headers: { 'content-type': 'application/json; charset=utf-8' } }), match, undefined);
    expect(event.body).toBe('{"visiting":"open"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  test('a JSON body that is not UTF-8 is passed as its bytes, base64-encoded (fuzzing found it decoded with U+FFFD)', () => {
    const bytes = Buffer.concat([Buffer.from('{"notes":"'), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}')]);
    const event = toApiGatewayEvent(request({ body: bytes }), match, undefined);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  test('a binary body is base64-encoded and flagged', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x01, 0x80]);
    const event = toApiGatewayEvent(request({ headers: { 'content-type': 'application/octet-stream' }, body: bytes }), match, undefined);
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(bytes.toString('base64'));
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  test('no body, no body field', () => {
    const event = toApiGatewayEvent(request({ method: 'GET', body: Buffer.alloc(0) }), { routeKey: 'GET /v1/health' }, undefined);
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });

  test("the authorizer's context is under requestContext.authorizer.lambda", () => {
    // Passed through untouched, whatever the authorizer put in it.
    const identity = { kind: 'user', userId: 'user-1', role: 'provider', areas: 'E08000004' } as unknown as NonNullable<Parameters<typeof toApiGatewayEvent>[2]>;
    const event = toApiGatewayEvent(request(), match, identity);
    expect(event.requestContext.authorizer?.lambda).toEqual(identity);
  });

  test('without an authorizer there is no authorizer context', () => {
    expect(toApiGatewayEvent(request(), match, undefined).requestContext.authorizer).toBeUndefined();
  });
});

describe('fromLambdaResult', () => {
  test('a structured result is used as given', () => {
    const response = fromLambdaResult({ statusCode: 201, headers: { 'Content-Type': 'application/json', ETag: '"1"' }, body: '{"version":1}' });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'content-type': 'application/json', etag: '"1"' });
    expect(response.body.toString('utf8')).toBe('{"version":1}');
  });

  test('a base64-encoded body is decoded to its bytes', () => {
    const bytes = Buffer.from([0x00, 0xff, 0x01, 0x80]);
    const response = fromLambdaResult({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes.toString('base64'), isBase64Encoded: true });
    expect(response.body).toEqual(bytes);
  });

  test('a structured result with no body has an empty body', () => {
    const response = fromLambdaResult({ statusCode: 204 });
    expect(response.statusCode).toBe(204);
    expect(response.body.byteLength).toBe(0);
  });

  test('a plain object becomes a 200 JSON body', () => {
    const response = fromLambdaResult({ status: 'ok' } as never);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({ status: 'ok' });
  });

  test('cookies become set-cookie headers, one per cookie', () => {
    const response = fromLambdaResult({ statusCode: 200, body: '', cookies: ['a=1; Path=/', 'b=2'] });
    expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
  });
});
