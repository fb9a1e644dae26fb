import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import {
  BEARER_SHAPE,
  EDGE_ROUTES,
  bearerRefusal,
  cloudFrontFunctionCode,
  hasBearer,
  needsBearer,
  pathPattern,
} from '#shared/model/access/bearer-required';
import { cameThroughTheEdge, ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_STAGE_VARIABLE } from '#shared/model/access/origin-verify';
import { problems } from '#shared/model/errors';
import { compilePath, matchRoute, routes, type RouteDefinition } from '#shared/model/routes';
import { toProblemResponse } from '#shared/http/response';

const all = routes as readonly RouteDefinition[];
const METHODS = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Paths a caller might send for a route: its parameters filled in several ways, and near misses. */
function pathsFor(route: RouteDefinition): string[] {
  const fill = (value: string) => route.path.replace(/\{\w+\}/g, value);
  const filled = fill('1-109570155');
  return [
    filled,
    fill('x'),
    fill('aggregates.csv'),
    fill('1-109570155%2F..%2Fx'),
    fill('%E0%A4%A'),
    `${filled}/`,
    `${filled}/extra`,
    filled.toUpperCase(),
    filled.replace('/v1/', '/v1//'),
    filled.slice(0, -1),
  ];
}

const SAMPLE_PATHS = [...new Set([...all.flatMap(pathsFor), '/v1', '/v1/', '/v1/nowhere', '/v2/locations', '/', '/index.html', '/v1/health/', '/v1/openapi.json'])];

/** Authorization headers as callers send them (undefined: none). */
const AUTHORIZATIONS = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'Bearer  ',
  'Bearer a.b.c',
  'bearer x',
  'BEARER x',
  'Bearer\tx',
  ' Bearer x',
  'Bearerx',
  'Basic YWRtaW46YWRtaW4=',
  'Token abc',
  'Negotiate YII=',
  'Bearer null',
  'Bearer "quoted"',
  'x Bearer y',
];

describe('the routes the edge guards', () => {
  test('are every route of the table, each needing a bearer unless it is public', () => {
    expect(EDGE_ROUTES).toHaveLength(all.length);
    for (const route of all) {
      expect(EDGE_ROUTES).toContainEqual({ method: route.method, pattern: pathPattern(route.path), bearer: route.access !== 'public' });
    }
    // The public ones: health, the OpenAPI document, and an email's unsubscribe link (test/unit/routes.test.ts).
    expect(EDGE_ROUTES.filter((route) => !route.bearer).map((route) => `${route.method} ${route.pattern}`).sort()).toEqual(
      ['GET ^/v1/health$', 'GET ^/v1/openapi\\.json$', 'POST ^/v1/saved-searches/unsubscribe$'].sort(),
    );
  });

  test('match a path as compilePath does', () => {
    for (const route of all) {
      const regex = new RegExp(pathPattern(route.path));
      for (const path of SAMPLE_PATHS) expect(regex.test(path), `${route.path} against ${path}`).toBe(compilePath(route.path)(path) !== undefined);
    }
  });

  test('need a bearer exactly when the route the gateway (and API Gateway) would choose is not public', () => {
    for (const method of METHODS) {
      for (const path of SAMPLE_PATHS) {
        const match = matchRoute(method, path);
        const expected = match.kind === 'matched' && match.route.access !== 'public';
        expect(needsBearer(method, path), `${method} ${path}`).toBe(expected);
      }
    }
  });

  test('a literal segment wins over a parameter: the public unsubscribe route is not taken for a guarded one', () => {
    expect(needsBearer('POST', '/v1/saved-searches/unsubscribe')).toBe(false);
    expect(needsBearer('DELETE', '/v1/saved-searches/unsubscribe')).toBe(true);
    expect(needsBearer('post', '/v1/saved-searches/unsubscribe')).toBe(false);
  });

  test('leave paths and methods the API does not have to the fallback (404 or 405, with or without a token)', () => {
    expect(needsBearer('GET', '/v1/nowhere')).toBe(false);
    expect(needsBearer('GET', '/v1/locations/1-109570155/returns/2026-11-22')).toBe(false); // only PUT there
    expect(needsBearer('PUT', '/v1/locations/1-109570155/returns/2026-11-22')).toBe(true);
  });
});

describe('a bearer credential', () => {
  test.each([
    ['Bearer a.b.c', true],
    ['bearer x', true],
    ['BEARER x', true],
    ['Bearer\tx', true],
    [' Bearer x', true],
    ['Bearer null', true],
    [undefined, false],
    ['', false],
    ['Bearer', false],
    ['Bearer ', false],
    ['Bearerx', false],
    ['Basic YWRtaW46YWRtaW4=', false],
    ['Token abc', false],
    ['x Bearer y', false],
  ] as const)('%j → %s', (value, expected) => {
    expect(hasBearer(value)).toBe(expected);
  });
});

describe('the refusal', () => {
  test('is the API\'s own 401 problem+json for a request without a token, instance and headers included', () => {
    const path = '/v1/locations/1-109570155';
    const refusal = bearerRefusal('GET', path, undefined);
    const api = toProblemResponse(problems.unauthorized(), path);
    expect(refusal).toEqual({ statusCode: api.statusCode, headers: api.headers, body: api.body });
    expect(JSON.parse(refusal!.body)).toEqual({
      type: 'https://capacity-tracker.example/problems/unauthorized',
      title: 'Not signed in',
      status: 401,
      detail: 'Sign in: send Authorization: Bearer <token>.',
      instance: path,
    });
  });

  test('is not made for a public route, an unknown path, or any bearer token (the authorizer judges those)', () => {
    expect(bearerRefusal('GET', '/v1/health', undefined)).toBeUndefined();
    expect(bearerRefusal('POST', '/v1/saved-searches/unsubscribe', undefined)).toBeUndefined();
    expect(bearerRefusal('GET', '/v1/nowhere', undefined)).toBeUndefined();
    expect(bearerRefusal('GET', '/v1/locations', 'Bearer not-a-jwt')).toBeUndefined();
    expect(bearerRefusal('GET', '/v1/locations', 'Basic YWRtaW46YWRtaW4=')?.statusCode).toBe(401);
  });
});

interface CloudFrontResponse {
  statusCode: number;
  statusDescription: string;
  headers: Record<string, { value: string }>;
  body: { encoding: string; data: string };
}

/** The generated function, run as CloudFront runs it: a script whose `handler` gets the viewer-request event. */
function cloudFrontHandler(): (event: unknown) => unknown {
  const code = cloudFrontFunctionCode();
  return runInNewContext(`${code}\nhandler;`, {}, { filename: 'bearer-required.cloudfront.js' }) as (event: unknown) => unknown;
}

function viewerRequest(method: string, uri: string, authorization: string | undefined, query = '') {
  return {
    version: '1.0',
    context: { distributionDomainName: 'd1234abcd.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' },
    viewer: { ip: '192.0.2.1' },
    request: {
      method,
      uri,
      querystring: query ? { q: { value: query } } : {},
      headers: {
        host: { value: 'd1234abcd.cloudfront.net' },
        ...(authorization === undefined ? {} : { authorization: { value: authorization } }),
      },
      cookies: {},
    },
  };
}

describe('the CloudFront Function generated from the rule', () => {
  const handler = cloudFrontHandler();

  test('fits CloudFront Functions: under 10 KB, plain JavaScript with a handler and no modules', () => {
    const code = cloudFrontFunctionCode();
    expect(Buffer.byteLength(code)).toBeLessThan(10 * 1024);
    expect(code).toMatch(/^function handler\(event\) \{$/m);
    expect(code).not.toMatch(/\b(import|export|require|const|let|async|await)\b|=>/);
    expect(code).toContain(BEARER_SHAPE.source);
  });

  test('answers every sample request as the rule does: the request passed on, or the same 401', () => {
    let refused = 0;
    for (const method of METHODS) {
      for (const uri of SAMPLE_PATHS) {
        for (const authorization of AUTHORIZATIONS) {
          const event = viewerRequest(method, uri, authorization);
          const answer = handler(event);
          const expected = bearerRefusal(method, uri, authorization);
          if (!expected) {
            expect(answer, `${method} ${uri} ${authorization}`).toBe(event.request);
            continue;
          }
          refused++;
          const response = answer as CloudFrontResponse;
          expect(response.statusCode).toBe(expected.statusCode);
          expect(response.statusDescription).toBe('Unauthorized');
          expect(Object.fromEntries(Object.entries(response.headers).map(([name, { value }]) => [name, value]))).toEqual(expected.headers);
          expect(response.body.encoding).toBe('text');
          expect(response.body.data).toBe(expected.body);
        }
      }
    }
    expect(refused).toBeGreaterThan(100);
  });

  test('leaves the query string out of the problem\'s instance, as the API does', () => {
    const response = handler(viewerRequest('GET', '/v1/locations', undefined, 'area=E08000004')) as CloudFrontResponse;
    expect(JSON.parse(response.body.data).instance).toBe('/v1/locations');
  });
});

describe('the origin header', () => {
  const stage = { [ORIGIN_VERIFY_STAGE_VARIABLE]: 'a'.repeat(48) };

  test('is required, and must be the stage\'s value, when the stage has one', () => {
    expect(cameThroughTheEdge({ [ORIGIN_VERIFY_HEADER]: 'a'.repeat(48) }, stage)).toBe(true);
    expect(cameThroughTheEdge({}, stage)).toBe(false);
    expect(cameThroughTheEdge(undefined, stage)).toBe(false);
    expect(cameThroughTheEdge({ [ORIGIN_VERIFY_HEADER]: 'a'.repeat(47) }, stage)).toBe(false);
    expect(cameThroughTheEdge({ [ORIGIN_VERIFY_HEADER]: `${'a'.repeat(48)}b` }, stage)).toBe(false);
    expect(cameThroughTheEdge({ [ORIGIN_VERIFY_HEADER]: `b${'a'.repeat(47)}` }, stage)).toBe(false);
    expect(cameThroughTheEdge({ [ORIGIN_VERIFY_HEADER]: '' }, stage)).toBe(false);
  });

  test('is not asked for by a stage without the variable (no CloudFront in front)', () => {
    expect(cameThroughTheEdge({}, undefined)).toBe(true);
    expect(cameThroughTheEdge({}, {})).toBe(true);
  });
});
