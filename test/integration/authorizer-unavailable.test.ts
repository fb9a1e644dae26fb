import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';

/**
 * The authorizer when a service it checks tokens against does not answer: real endpoints that refuse
 * connections (a port nothing listens on), hang (a server that never answers), stall mid-answer or fail
 * (5xx), not mocks. The answer is always `unavailable`, so the route says 503 problem+json with
 * Retry-After, and it comes well inside API Gateway's 10 s for the authorizer, where a throw or a wait
 * would be API Gateway's bare 500. This file's modules load with a DynamoDB endpoint that refuses.
 */
process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:9';
process.env.AWS_REGION ??= 'eu-west-2';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

/** What the route answers for an authorizer context: the problem response, as the HTTP layer writes it. */
async function routeAnswer(context: unknown) {
  const { principalFromEvent } = await import('#shared/model/access/identity');
  const { toProblemResponse } = await import('#shared/http/response');
  const event = { requestContext: { authorizer: { lambda: context } } } as unknown as Parameters<typeof principalFromEvent>[0];
  let thrown: unknown;
  try {
    principalFromEvent(event);
  } catch (error) {
    thrown = error;
  }
  return toProblemResponse(thrown, '/v1/locations/1-109000000/returns/2026-12-01');
}

async function expect503(context: unknown) {
  const response = await routeAnswer(context);
  expect(response.statusCode).toBe(503);
  expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': expect.any(String) });
  expect(JSON.parse(response.body as string)).toMatchObject({ status: 503, title: 'Service unavailable', type: expect.stringMatching(/\/problems\/unavailable$/) });
}

/** A local HTTP server answering as `answer` says; it keeps its sockets so that closing it ends hung requests too. */
async function server(answer: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<{ url: string; requests: Array<{ headers: IncomingMessage['headers']; body: string }>; close: () => Promise<void> }> {
  const requests: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const sockets = new Set<Socket>();
  const http: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      answer(request, response, body);
    });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        http.close(() => resolve());
      }),
  };
}

/** An address nothing listens on: a port the system just gave out, closed again. */
async function refusingUrl(): Promise<string> {
  const closed = await server(() => undefined);
  await closed.close();
  return closed.url;
}

const never = () => undefined;

describe('the authorizer while DynamoDB does not answer', () => {
  beforeAll(async () => {
    const { createLocalIssuer, exportIssuerSettings } = await import('#scripts/local/issuer');
    // The key set is never fetched here: update links are HS256 with the issuer's own key.
    exportIssuerSettings(await createLocalIssuer(), 'http://127.0.0.1:9');
  });

  it('says the token could not be checked, and the route answers 503 problem+json with Retry-After (not a 401, not a 500)', async () => {
    const { issueUpdateLink } = await import('#shared/services/auth/update-links');
    const { authenticate } = await import('#shared/services/auth/authenticate');
    const link = await issueUpdateLink('1-109000000');

    const context = await authenticate(`Bearer ${link.token}`);
    expect(context).toEqual({ kind: 'unavailable' });
    await expect503(context);
  }, 60_000);

  it('still refuses a malformed token at once, without asking DynamoDB', async () => {
    const { authenticate } = await import('#shared/services/auth/authenticate');
    expect(await authenticate('Bearer not-a-jwt')).toEqual({ kind: 'anonymous', reason: 'malformed' });
  });
});

describe("the authorizer while the issuer's key set (Cognito's JWKS) does not answer", () => {
  let issuer: Awaited<ReturnType<typeof import('#scripts/local/issuer').createLocalIssuer>>;
  let token: string;
  const servers: Array<{ close: () => Promise<void> }> = [];

  beforeAll(async () => {
    const { createLocalIssuer } = await import('#scripts/local/issuer');
    issuer = await createLocalIssuer();
    token = await issuer.sign({ sub: 'jwks-national', role: 'national' });
  });
  afterAll(async () => {
    for (const running of servers) await running.close();
  });

  /** The user-token check, with the issuer's keys at `jwksUrl` (a fresh setting each time: settings are read once per environment). */
  async function checkAt(jwksUrl: string) {
    const { runWithEnvironment } = await import('#shared/runtime/settings');
    const { authenticate } = await import('#shared/services/auth/authenticate');
    const environment = { ...process.env, JWKS_URL: jwksUrl, JWT_ISSUER: 'capacity-tracker-local-issuer', JWT_AUDIENCE: 'capacity-tracker-local' };
    const started = performance.now();
    const context = await runWithEnvironment('authorizer', environment, () => authenticate(`Bearer ${token}`)).catch((error: unknown) => ({ thrown: error }));
    return { context, ms: performance.now() - started };
  }

  it('refused (nothing listens): unavailable at once, and the route answers 503', async () => {
    const { context, ms } = await checkAt(`${await refusingUrl()}/.well-known/jwks.json`);
    expect(context).toEqual({ kind: 'unavailable' });
    expect(ms).toBeLessThan(2_000);
    await expect503(context);
  });

  it('hanging (a server that never answers): unavailable after the key set timeout of 3 s, well inside the authorizer 10 s', async () => {
    const { KEY_SET_TIMEOUT_MS } = await import('#shared/services/auth/user-tokens');
    expect(KEY_SET_TIMEOUT_MS).toBe(3_000);
    const hanging = await server(never);
    servers.push(hanging);
    const { context, ms } = await checkAt(`${hanging.url}/.well-known/jwks.json`);
    expect(context).toEqual({ kind: 'unavailable' });
    expect(hanging.requests).toHaveLength(1);
    expect(ms).toBeGreaterThanOrEqual(KEY_SET_TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(KEY_SET_TIMEOUT_MS + 2_000);
  }, 15_000);

  it('stalling (headers sent, the body never finished): unavailable after the same timeout', async () => {
    const stalling = await server((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"keys":[');
    });
    servers.push(stalling);
    const { context, ms } = await checkAt(`${stalling.url}/.well-known/jwks.json`);
    expect(context).toEqual({ kind: 'unavailable' });
    expect(ms).toBeLessThan(5_000);
  }, 15_000);

  it.each([500, 503, 429])('answering %i: unavailable', async (status) => {
    const failing = await server((_request, response) => response.writeHead(status, { 'content-type': 'application/json' }).end('{"message":"down"}'));
    servers.push(failing);
    expect((await checkAt(`${failing.url}/.well-known/jwks.json`)).context).toEqual({ kind: 'unavailable' });
  });

  it('answering 404 (JWKS_URL is wrong): still an error, so API Gateway 500 and the error alarm say the deployment is broken', async () => {
    const missing = await server((_request, response) => response.writeHead(404).end());
    servers.push(missing);
    const { context } = await checkAt(`${missing.url}/.well-known/jwks.json`);
    expect(context).toEqual({ thrown: expect.any(Error) });
  });

  it('keeps using the keys it fetched before while a refetch fails, without asking again for 30 s (only a new container depends on the issuer answering)', async () => {
    const { runWithEnvironment } = await import('#shared/runtime/settings');
    const { KEY_SET_RETRY_AFTER_MS, verifyUserToken } = await import('#shared/services/auth/user-tokens');
    let up = true;
    const keys = await server((_request, response) => {
      if (up) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks));
    });
    servers.push(keys);
    const environment = { ...process.env, JWKS_URL: `${keys.url}/jwks.json`, JWT_ISSUER: 'capacity-tracker-local-issuer', JWT_AUDIENCE: 'capacity-tracker-local' };
    const verify = async () => {
      const started = performance.now();
      const user = await runWithEnvironment('authorizer', environment, () => verifyUserToken(token, new Date()));
      return { user, ms: performance.now() - started };
    };
    expect((await verify()).user).toMatchObject({ userId: 'jwks-national', role: 'national', mfa: true });
    up = false; // from now on it hangs
    // Eleven minutes on: past the 10-minute cache, so the keys are fetched again, and the fetch times out.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 11 * 60_000);
      const first = await verify();
      expect(first.user).toMatchObject({ userId: 'jwks-national' });
      expect(first.ms).toBeGreaterThanOrEqual(2_900);
      expect(keys.requests).toHaveLength(2);
      // The next ones do not wait: the issuer is not asked again for a while.
      const next = await verify();
      expect(next.user).toMatchObject({ userId: 'jwks-national' });
      expect(next.ms).toBeLessThan(500);
      expect(keys.requests).toHaveLength(2);
      vi.setSystemTime(Date.now() + KEY_SET_RETRY_AFTER_MS + 1_000);
      up = true;
      expect((await verify()).user).toMatchObject({ userId: 'jwks-national' });
      expect(keys.requests).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  }, 20_000);

  it('through the authorizer function itself: it lets the request through as unavailable, in time (no 500 from API Gateway)', async () => {
    const { runFunction } = await import('#scripts/local/lambda-runtime');
    const { authorizerFunction } = await import('#shared/model/functions');
    const hanging = await server(never);
    servers.push(hanging);
    const saved = process.env.JWKS_URL;
    process.env.JWKS_URL = `${hanging.url}/.well-known/jwks.json`;
    try {
      const event = { type: 'REQUEST', routeKey: 'GET /v1/locations/{locationId}', headers: { authorization: `Bearer ${token}` } } as unknown as APIGatewayRequestAuthorizerEventV2;
      const result = await runFunction(authorizerFunction, event, { timeoutMs: 10_000 });
      expect(result).toEqual({ isAuthorized: true, context: { kind: 'unavailable' } });
    } finally {
      process.env.JWKS_URL = saved;
    }
  }, 15_000);
});

describe('the authorizer while Secrets Manager (the update-link key) does not answer', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:capacity-tracker-update-link-key-AbCdEf';
  let link: string;
  const servers: Array<{ close: () => Promise<void> }> = [];

  beforeAll(async () => {
    // A link signed with the inline key, then modules loaded afresh: the key is read once per container, and here it is read from Secrets Manager.
    const { createLocalIssuer } = await import('#scripts/local/issuer');
    const { runWithEnvironment } = await import('#shared/runtime/settings');
    const { issueUpdateLink } = await import('#shared/services/auth/update-links');
    const { updateLinkSecret } = await createLocalIssuer();
    link = (await runWithEnvironment('reminders', { UPDATE_LINK_SECRET: updateLinkSecret }, () => issueUpdateLink('1-109000000'))).token;
    vi.resetModules();
  });
  afterAll(async () => {
    delete process.env.SECRETS_MANAGER_ENDPOINT;
    for (const running of servers) await running.close();
  });

  /** The update-link check in AWS's shape (the key's ARN, no inline key), against Secrets Manager at `endpoint`. */
  async function checkWith(endpoint: string) {
    process.env.SECRETS_MANAGER_ENDPOINT = endpoint;
    const { runWithEnvironment } = await import('#shared/runtime/settings');
    const { authenticate } = await import('#shared/services/auth/authenticate');
    const environment: Record<string, string | undefined> = { ...process.env, UPDATE_LINK_SECRET_ARN: ARN };
    delete environment.UPDATE_LINK_SECRET;
    const started = performance.now();
    const context = await runWithEnvironment('authorizer', environment, () => authenticate(`Bearer ${link}`)).catch((error: unknown) => ({ thrown: error }));
    return { context, ms: performance.now() - started };
  }

  it('refused (nothing listens): unavailable, and the route answers 503', async () => {
    const { context, ms } = await checkWith(await refusingUrl());
    expect(context).toEqual({ kind: 'unavailable' });
    expect(ms).toBeLessThan(3_000);
    await expect503(context);
  });

  it('hanging (a server that never answers): unavailable within seconds (two tries of 2 s), well inside the authorizer 10 s', async () => {
    const hanging = await server(never);
    servers.push(hanging);
    const { context, ms } = await checkWith(hanging.url);
    expect(context).toEqual({ kind: 'unavailable' });
    // It was asked, as the SDK asks Secrets Manager, and asked again once.
    expect(hanging.requests.map((request) => request.headers['x-amz-target'])).toEqual(['secretsmanager.GetSecretValue', 'secretsmanager.GetSecretValue']);
    expect(JSON.parse(hanging.requests[0]!.body)).toEqual({ SecretId: ARN });
    expect(ms).toBeLessThan(7_000);
  }, 20_000);

  it("failing on its side (500 InternalServiceError, after the SDK's retry): unavailable", async () => {
    const failing = await server((_request, response) =>
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalServiceError', message: 'try later' })),
    );
    servers.push(failing);
    expect((await checkWith(failing.url)).context).toEqual({ kind: 'unavailable' });
    expect(failing.requests).toHaveLength(2);
  });

  it('throttling: unavailable', async () => {
    const throttling = await server((_request, response) =>
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' })),
    );
    servers.push(throttling);
    expect((await checkWith(throttling.url)).context).toEqual({ kind: 'unavailable' });
  });

  it('refusing access (the role may not read the secret): still an error, which no retry mends: API Gateway 500 and the error alarm', async () => {
    const denying = await server((_request, response) =>
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed' })),
    );
    servers.push(denying);
    const { context } = await checkWith(denying.url);
    expect(context).toEqual({ thrown: expect.objectContaining({ name: 'AccessDeniedException' }) });
  });
});
