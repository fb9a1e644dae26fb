import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway } from '#scripts/local/gateway';
import { runFunction } from '#scripts/local/lambda-runtime';
import { usePowertoolsLocalDefaults } from '#scripts/local/local-settings';
import { bearerRefusal } from '#shared/model/access/bearer-required';
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_STAGE_VARIABLE } from '#shared/model/access/origin-verify';
import { authorizerFunction } from '#shared/model/functions';

/**
 * The local gateway plays CloudFront's part in front of the API as the deployed distribution does: a
 * request for a guarded route without a bearer token is answered by the edge rule
 * (shared/model/access/bearer-required.ts) before any function runs, with the API's own 401 problem+json;
 * everything else goes on to the authorizer and the route, carrying the origin header the authorizer checks.
 */
describe('the edge in front of the local API', () => {
  let server: Server;
  let base: string;
  const runs: string[] = [];

  beforeAll(async () => {
    usePowertoolsLocalDefaults();
    server = createGateway({ localRoutes: {}, onInvoke: (id) => runs.push(id) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    runs.length = 0;
  });

  const send = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { method, headers, ...(method === 'POST' || method === 'PUT' ? { body: '{}' } : {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  it.each([
    ['GET', '/v1/locations/1-109000000', {}],
    ['PUT', '/v1/locations/1-109000000/returns/2026-12-01', { 'content-type': 'application/json' }],
    ['GET', '/v1/locations?area=E08000004', { authorization: '' }],
    ['POST', '/v1/exports', { authorization: 'Bearer' }],
    ['GET', '/v1/users', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['DELETE', '/v1/saved-searches/abc', { authorization: 'Token abc' }],
  ] as const)('refuses %s %s without a bearer token (%j) before the authorizer or the route runs', async (method, path, headers) => {
    const response = await send(method, path, headers);
    expect(runs).toEqual([]);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const rawPath = path.split('?')[0]!;
    // Byte for byte what CloudFront's function answers (test/unit/bearer-required.test.ts runs it).
    expect(response.text).toBe(bearerRefusal(method, rawPath, (headers as { authorization?: string }).authorization)?.body);
    expect(response.json).toEqual({
      type: 'https://capacity-tracker.example/problems/unauthorized',
      title: 'Not signed in',
      status: 401,
      detail: 'Sign in: send Authorization: Bearer <token>.',
      instance: rawPath,
    });
  });

  it('lets any bearer token through to the authorizer, which says what is wrong with it', async () => {
    const response = await send('GET', '/v1/locations/1-109000000', { authorization: 'Bearer not-a-jwt' });
    expect(runs).toEqual([authorizerFunction.id, 'getLocation']);
    expect(response.status).toBe(401);
    expect(response.json?.detail).toMatch(/with a JWT/);
  });

  it('replaces an origin header the caller sends with its own, as CloudFront does', async () => {
    const response = await send('GET', '/v1/locations/1-109000000', { authorization: 'Bearer not-a-jwt', [ORIGIN_VERIFY_HEADER]: 'forged' });
    // Not the authorizer's refusal (a bare 403): the authorizer saw the gateway's value.
    expect(runs).toEqual([authorizerFunction.id, 'getLocation']);
    expect(response.status).toBe(401);
  });

  it('answers public routes without a token, and runs no authorizer for them', async () => {
    const health = await send('GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(runs).toEqual(['health']);
    runs.length = 0;
    const unsubscribe = await send('POST', '/v1/saved-searches/unsubscribe', { 'content-type': 'application/json' });
    expect(unsubscribe.status).toBe(400);
    expect(runs).toEqual(['unsubscribeSavedSearch']);
  });

  it('leaves unknown paths and methods to the fallback: the same 404 or 405 with or without a token', async () => {
    expect((await send('GET', '/v1/nowhere')).status).toBe(404);
    expect((await send('GET', '/v1/locations/1-109000000/returns/2026-12-01')).status).toBe(405);
    expect(runs).toEqual(['notFound', 'notFound']);
  });
});

describe('the authorizer and the origin header', () => {
  const event = (header: string | undefined) => ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-west-2:000000000000:local/$default/GET/v1/locations',
    identitySource: ['Bearer not-a-jwt'],
    routeKey: 'GET /v1/locations',
    rawPath: '/v1/locations',
    rawQueryString: '',
    headers: { authorization: 'Bearer not-a-jwt', ...(header === undefined ? {} : { [ORIGIN_VERIFY_HEADER]: header }) },
    stageVariables: { [ORIGIN_VERIFY_STAGE_VARIABLE]: 'the-stage-secret' },
    requestContext: { http: { method: 'GET', path: '/v1/locations' }, routeKey: 'GET /v1/locations', stage: '$default' },
  });

  beforeAll(() => usePowertoolsLocalDefaults());

  it('refuses a request whose header is not the stage\'s secret (straight to execute-api), before reading the token', async () => {
    expect(await runFunction(authorizerFunction, event('forged'))).toMatchObject({ isAuthorized: false });
    expect(await runFunction(authorizerFunction, event(undefined))).toMatchObject({ isAuthorized: false });
  });

  it('goes on to the token when the header is the secret', async () => {
    expect(await runFunction(authorizerFunction, event('the-stage-secret'))).toEqual({ isAuthorized: true, context: { kind: 'anonymous', reason: 'malformed' } });
  });
});
