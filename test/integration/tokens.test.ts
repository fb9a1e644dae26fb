import { SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { createLocalIssuer } from '#scripts/local/issuer';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { UPDATE_LINK_HOURS } from '#shared/model/update-links';
import { call, createLocation, daysAgo, designExample, returnPath, today, tokenFor, useGateway } from '../helpers/api';

const gateway = useGateway();
const getLocation = (locationId: string, token: string) => call(gateway.url(), 'GET', `/v1/locations/${locationId}`, { as: { token } });

async function expect401(response: Awaited<ReturnType<typeof call>>, detail: RegExp) {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.json.detail).toMatch(detail);
}

describe('user tokens that must not work get 401, saying why', () => {
  test('no token, or not a bearer JWT', async () => {
    const location = await createLocation();
    await expect401(await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`, { as: null }), /Sign in/);
    await expect401(await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`, { as: null, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), /Bearer/);
    await expect401(await getLocation(location.locationId, 'not.a.jwt'), /with a JWT/);
  });

  test('expired', async () => {
    const location = await createLocation();
    const stale = await tokenFor('national', { now: new Date(Date.now() - 13 * 3600_000), ttlSeconds: 12 * 3600 });
    await expect401(await getLocation(location.locationId, stale), /expired/);
  });

  test('signed by a key the issuer never published', async () => {
    const location = await createLocation();
    const impostor = await createLocalIssuer(); // same issuer name and key id, different key
    const forged = await impostor.sign({ sub: 'national', role: 'national' });
    await expect401(await getLocation(location.locationId, forged), /signature, issuer or audience/);
  });

  test('meant for another audience', async () => {
    const location = await createLocation();
    await expect401(await getLocation(location.locationId, await tokenFor('national', { audience: 'some-other-app' })), /audience/);
  });

  test('tampered: a provider token edited to claim admin', async () => {
    const location = await createLocation();
    const [head, body, signature] = (await tokenFor({ sub: 'someone', role: 'provider' })).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    claims['cognito:groups'] = ['admin'];
    const tampered = [head, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    await expect401(await getLocation(location.locationId, tampered), /signature/);
  });

  test('unsigned (alg none)', async () => {
    const location = await createLocation();
    const head = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'x', 'cognito:groups': ['admin'], exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    await expect401(await getLocation(location.locationId, `${head}.${body}.`), /signature, issuer or audience/);
  });
});

describe('update links from reminder emails', () => {
  test('open and update their own location: form data, PUT and "nothing has changed"', async () => {
    const location = await createLocation();
    const { token, tokenId } = await issueUpdateLink(location.locationId);
    expect((await getLocation(location.locationId, token)).status).toBe(200);
    const put = await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(1)), { as: { token }, body: designExample() });
    expect(put.status).toBe(201);
    expect(put.json.submittedBy).toBe(`update-link:${tokenId}`);
    const confirmed = await call(gateway.url(), 'POST', `${returnPath(location.locationId, today())}/confirm`, { as: { token } });
    expect(confirmed.status).toBe(201);
    expect(confirmed.json.confirmedFrom.reportDate).toBe(daysAgo(1));
  });

  test('are refused (403) on another location and on any other route', async () => {
    const location = await createLocation();
    const elsewhere = await createLocation();
    const { token } = await issueUpdateLink(location.locationId);
    const other = await call(gateway.url(), 'PUT', returnPath(elsewhere.locationId, today()), { as: { token }, body: designExample() });
    expect(other.status).toBe(403);
    expect(other.json.detail).toMatch(/another location/);
    const history = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}/returns`, { as: { token } });
    expect(history.status).toBe(403);
    expect((await call(gateway.url(), 'GET', '/v1/locations', { as: { token } })).status).toBe(403);
  });

  test(`expire after ${UPDATE_LINK_HOURS} hours`, async () => {
    const location = await createLocation();
    const { token } = await issueUpdateLink(location.locationId, new Date(Date.now() - (UPDATE_LINK_HOURS * 3600 + 60) * 1000));
    await expect401(await getLocation(location.locationId, token), /expired/);
  });

  test('a link signed with another key is refused', async () => {
    const location = await createLocation();
    const forged = await new SignJWT({ loc: location.locationId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('capacity-tracker/update-link')
      .setAudience('capacity-tracker/returns')
      .setJti('forged')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(48)));
    await expect401(await getLocation(location.locationId, forged), /signature/);
  });

  test('revoked links get 401; links issued afterwards work', async () => {
    const location = await createLocation();
    const { token } = await issueUpdateLink(location.locationId);
    expect((await getLocation(location.locationId, token)).status).toBe(200);
    const revoked = await call(gateway.url(), 'POST', `/v1/locations/${location.locationId}/update-links/revoke`);
    expect(revoked.status).toBe(200);
    await expect401(await getLocation(location.locationId, token), /withdrawn/);
    await expect401(
      await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { as: { token }, body: designExample() }),
      /withdrawn/,
    );
    // Revocation is to the second: a link issued in a later second is a new one and works.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const fresh = await issueUpdateLink(location.locationId);
    expect((await getLocation(location.locationId, fresh.token)).status).toBe(200);
  });
});
