import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The authorizer when the revocations table cannot be read: a real DynamoDB endpoint that refuses
 * connections (nothing listens on the discard port), not a mock. This file's modules load with it.
 */
process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:9';

describe('the authorizer while DynamoDB does not answer', () => {
  beforeAll(async () => {
    const { createLocalIssuer, exportIssuerSettings } = await import('#scripts/local/issuer');
    // The key set is never fetched here: update links are HS256 with the issuer's own key.
    exportIssuerSettings(await createLocalIssuer(), 'http://127.0.0.1:9');
  });

  it('says the token could not be checked, and the route answers 503 problem+json with Retry-After (not a 401, not a 500)', async () => {
    const { issueUpdateLink } = await import('#shared/services/auth/update-links');
    const { authenticate } = await import('#shared/services/auth/authenticate');
    const { principalFromEvent } = await import('#shared/model/access/identity');
    const { toProblemResponse } = await import('#shared/http/response');
    const link = await issueUpdateLink('1-109000000');

    const context = await authenticate(`Bearer ${link.token}`);
    expect(context).toEqual({ kind: 'unavailable' });

    const event = { requestContext: { authorizer: { lambda: context } } } as unknown as Parameters<typeof principalFromEvent>[0];
    let thrown: unknown;
    try {
      principalFromEvent(event);
    } catch (error) {
      thrown = error;
    }
    const response = toProblemResponse(thrown, '/v1/locations/1-109000000/returns/2026-12-01');
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': expect.any(String) });
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 503, title: 'Service unavailable' });
  }, 60_000);

  it('still refuses a malformed token at once, without asking DynamoDB', async () => {
    const { authenticate } = await import('#shared/services/auth/authenticate');
    expect(await authenticate('Bearer not-a-jwt')).toEqual({ kind: 'anonymous', reason: 'malformed' });
  });
});
