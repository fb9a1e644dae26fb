import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { decodeJwt } from 'jose';
import { AssociateSoftwareTokenCommand, CognitoIdentityProviderClient, SetUserMFAPreferenceCommand, VerifySoftwareTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_ACCOUNT_API_PATH } from '#scripts/local/account-api-local';
import { call, createLocation, today, useGateway, type Caller } from '../helpers/api';
import { MFA_CLAIM, MFA_CLAIM_VALUE, MFA_REQUIRED_ROLES } from '#shared/model/access/identity';
import { preTokenGenerationFunction } from '#shared/model/functions';
import { esbuildOptionsFor } from '#infra/constructs/bundling';
import { importEnvironment, timeImport } from '#scripts/bench/bundles';
import { REPO_ROOT, runFunction } from '#scripts/local/lambda-runtime';
import { authenticatorApp } from '../helpers/totp';

/**
 * MFA by role (issue 19): admin, national and commissioner users act only with a token that says they
 * signed in with an authenticator app (the MFA claim the user pool's pre token generation trigger adds);
 * providers and discharge teams may have one and need not. Through the local gateway and the real
 * authorizer, with tokens from the local issuer marked with and without the claim; and the trigger
 * itself, against a stand-in for Cognito's API on a loopback port.
 */
const gateway = useGateway();
const url = () => gateway.url();
const unique = () => `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

/** A route each role may call, with a 200 when it may act. */
const ACTS: Record<(typeof MFA_REQUIRED_ROLES)[number], { caller: (mfa: boolean) => Caller; path: string }> = {
  admin: { caller: (mfa) => ({ sub: `mfa-admin-${unique()}`, role: 'admin', mfa }), path: '/v1/users?limit=1' },
  national: { caller: (mfa) => ({ sub: `mfa-national-${unique()}`, role: 'national', mfa }), path: '/v1/completeness?level=region' },
  commissioner: { caller: (mfa) => ({ sub: `mfa-commissioner-${unique()}`, role: 'commissioner', areas: ['E12000002'], mfa }), path: '/v1/completeness?level=region' },
};

function expectMfaRequired(response: Awaited<ReturnType<typeof call>>) {
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.json).toMatchObject({ status: 403, title: 'Authenticator app required', type: expect.stringMatching(/\/problems\/mfa-required$/) });
  expect(response.json.detail).toMatch(/authenticator app/);
  expect(response.json.detail).toMatch(/sign in again/);
}

describe('roles that need MFA', () => {
  test.each(MFA_REQUIRED_ROLES)('%s: refused (403, saying how to set up an authenticator app) without the claim; acts with it', async (role) => {
    const { caller, path } = ACTS[role];
    expectMfaRequired(await call(url(), 'GET', path, { as: caller(false) }));
    expect((await call(url(), 'GET', path, { as: caller(true) })).status).toBe(200);
  });

  test('refused on every route, reads and writes alike, before anything is read or written', async () => {
    const location = await createLocation({ name: 'MFA House' });
    const admin = ACTS.admin.caller(false);
    expectMfaRequired(await call(url(), 'GET', `/v1/locations/${location.locationId}`, { as: admin }));
    expectMfaRequired(await call(url(), 'PUT', `/v1/locations/${location.locationId}/returns/${today()}`, { as: admin, body: {} }));
    expectMfaRequired(await call(url(), 'POST', '/v1/users', { as: admin, body: { email: `never-${unique()}@x.example`, role: 'admin' } }));
    const stillThere = await call(url(), 'GET', `/v1/locations/${location.locationId}`);
    expect(stillThere.json.latestReturn ?? null).toBeNull();
  });

  test('the role that counts is the users table one: a token that says discharge, of a user made national, needs the claim', async () => {
    const invited = await call(url(), 'POST', '/v1/users', { body: { email: `promoted-${unique()}@nhs.example`, role: 'discharge' } });
    expect(invited.status).toBe(201);
    const userId = invited.json.userId as string;
    const withoutApp = { sub: userId, role: 'discharge' as const, mfa: false };
    expect((await call(url(), 'GET', '/v1/completeness?level=region', { as: withoutApp })).status).toBe(403); // a discharge user may not
    expect((await call(url(), 'PATCH', `/v1/users/${userId}`, { body: { role: 'national' } })).status).toBe(200);
    expectMfaRequired(await call(url(), 'GET', '/v1/completeness?level=region', { as: withoutApp }));
    expect((await call(url(), 'GET', '/v1/completeness?level=region', { as: { ...withoutApp, mfa: true } })).status).toBe(200);
    // And the other way: made a provider again, the same token acts as a provider (no MFA asked; no national reads either).
    expect((await call(url(), 'PATCH', `/v1/users/${userId}`, { body: { role: 'provider' } })).status).toBe(200);
    const asProvider = await call(url(), 'GET', '/v1/completeness?level=region', { as: { sub: userId, role: 'admin', mfa: false } });
    expect(asProvider.status).toBe(403);
    expect(asProvider.json.type).toMatch(/\/problems\/forbidden$/);
  });
});

describe('roles that may have MFA and need not', () => {
  test('a provider and a discharge user act with or without the claim', async () => {
    const location = await createLocation({ name: 'Opt-in House' });
    const provider = (await call(url(), 'POST', '/v1/users', { body: { email: `opt-in-${unique()}@home.example`, role: 'provider' } })).json.userId as string;
    expect((await call(url(), 'PUT', `/v1/locations/${location.locationId}/members/${provider}`, { body: { manager: true } })).status).toBe(201);
    for (const mfa of [false, true]) {
      expect((await call(url(), 'GET', `/v1/locations/${location.locationId}`, { as: { sub: provider, role: 'provider', mfa } })).status).toBe(200);
      expect((await call(url(), 'GET', `/v1/locations/${location.locationId}`, { as: { sub: `d-${unique()}`, role: 'discharge', mfa } })).status).toBe(200);
    }
  });
});

describe('the local sign-in', () => {
  async function localToken(body: unknown): Promise<string> {
    const response = await fetch(`${url()}/local/token`, { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  test('marks every demo user as signed in with an authenticator app, and `"mfa": false` as not', async () => {
    for (const user of ['admin', 'national', 'commissioner-oldham', 'discharge', 'provider-multi-site']) {
      expect(decodeJwt(await localToken({ user }))[MFA_CLAIM], user).toBe(MFA_CLAIM_VALUE);
    }
    const withoutApp = await localToken({ user: 'admin', mfa: false });
    expect(decodeJwt(withoutApp)[MFA_CLAIM]).toBeUndefined();
    expectMfaRequired(await call(url(), 'GET', '/v1/users?limit=1', { as: { token: withoutApp } }));
    expect((await call(url(), 'GET', '/v1/users?limit=1', { as: { token: await localToken({ user: 'admin' }) } })).status).toBe(200);
  });

  test("an admin without an app sets one up through the stand-in for Cognito's user API, as the SDK speaks it, and then acts", async () => {
    const withoutApp = await localToken({ user: 'admin', mfa: false });
    const cognito = new CognitoIdentityProviderClient({ endpoint: `${url()}${LOCAL_ACCOUNT_API_PATH}`, region: 'eu-west-2', maxAttempts: 1 });
    try {
      // Before an app is verified, it cannot be made the way to sign in.
      await expect(cognito.send(new SetUserMFAPreferenceCommand({ AccessToken: withoutApp, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
      await expect(cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: 'not-a-token' }))).rejects.toMatchObject({ name: 'NotAuthorizedException' });
      const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: withoutApp }));
      expect(SecretCode).toMatch(/^[A-Z2-7]{32}$/);
      const app = authenticatorApp(SecretCode!);
      const wrong = app.wrongCode();
      await expect(cognito.send(new VerifySoftwareTokenCommand({ AccessToken: withoutApp, UserCode: wrong }))).rejects.toMatchObject({ name: 'EnableSoftwareTokenMFAException' });
      expectMfaRequired(await call(url(), 'GET', '/v1/users?limit=1', { as: { token: await localToken({ user: 'admin', mfa: false }) } }));

      expect(await cognito.send(new VerifySoftwareTokenCommand({ AccessToken: withoutApp, UserCode: app.code(), FriendlyDeviceName: 'phone' }))).toMatchObject({ Status: 'SUCCESS' });
      await cognito.send(new SetUserMFAPreferenceCommand({ AccessToken: withoutApp, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      // Signing in again: the token now says the app was used, as the pre token trigger would, and the admin acts.
      const withApp = await localToken({ user: 'admin', mfa: false });
      expect(decodeJwt(withApp)[MFA_CLAIM]).toBe(MFA_CLAIM_VALUE);
      expect((await call(url(), 'GET', '/v1/users?limit=1', { as: { token: withApp } })).status).toBe(200);
      // Someone else's sign-in is not changed by it.
      expect(decodeJwt(await localToken({ user: 'national', mfa: false }))[MFA_CLAIM]).toBeUndefined();
    } finally {
      cognito.destroy();
    }
  });
});

/**
 * A stand-in for Cognito's API (AWS JSON 1.1, as the SDK speaks it): AdminGetUser answers with the MFA
 * settings of the users it knows, or as `mode` says.
 */
interface CognitoStandIn {
  url: string;
  requests: Array<{ target: string | undefined; body: { UserPoolId?: string; Username?: string } }>;
  mode: 'answer' | 'fail' | 'hang';
  users: Map<string, { UserMFASettingList?: string[]; PreferredMfaSetting?: string }>;
  close: () => Promise<void>;
}

async function cognitoStandIn(): Promise<CognitoStandIn> {
  const sockets = new Set<Socket>();
  const standIn: CognitoStandIn = { url: '', requests: [], mode: 'answer', users: new Map(), close: async () => undefined };
  const http: Server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(text || '{}') as { UserPoolId?: string; Username?: string };
      standIn.requests.push({ target: request.headers['x-amz-target'] as string | undefined, body });
      if (standIn.mode === 'hang') return;
      const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
      if (standIn.mode === 'fail') return json(500, { __type: 'InternalErrorException', message: 'Cognito is having a bad day' });
      const settings = standIn.users.get(body.Username ?? '');
      if (!settings) return json(400, { __type: 'UserNotFoundException', message: 'User does not exist.' });
      return json(200, { Username: body.Username, UserAttributes: [], Enabled: true, UserStatus: 'CONFIRMED', ...settings });
    });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      http.close(() => resolve());
    });
  return standIn;
}

/** What Cognito sends the trigger (V1_0) when a user of `groups` signs in. */
function signInEvent(userName: string, groups: string[], triggerSource: PreTokenGenerationTriggerEvent['triggerSource'] = 'TokenGeneration_HostedAuth'): PreTokenGenerationTriggerEvent {
  return {
    version: '1',
    triggerSource,
    region: 'eu-west-2',
    userPoolId: 'eu-west-2_TestPool1',
    userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'web-client' },
    request: { userAttributes: { sub: userName, email: `${userName}@x.example` }, groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: undefined } },
    response: { claimsOverrideDetails: null },
  } as unknown as PreTokenGenerationTriggerEvent;
}

describe('the pre token generation trigger (functions/pre-token-generation.ts)', () => {
  let cognito: CognitoStandIn;
  const ENABLED_AND_PREFERRED = { UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' };

  beforeAll(async () => {
    cognito = await cognitoStandIn();
    // Read when the module loads: the handler is loaded (once) by the first runFunction below.
    process.env.COGNITO_ENDPOINT = cognito.url;
    process.env.AWS_REGION ??= 'eu-west-2';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    cognito.users.set('with-app', ENABLED_AND_PREFERRED);
    cognito.users.set('app-not-preferred', { UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] });
    cognito.users.set('without-app', {});
  });
  afterAll(async () => {
    delete process.env.COGNITO_ENDPOINT;
    await cognito.close();
  });

  const run = async (event: PreTokenGenerationTriggerEvent) => (await runFunction(preTokenGenerationFunction, event)) as PreTokenGenerationTriggerEvent;
  const claimsOf = (event: PreTokenGenerationTriggerEvent) => event.response.claimsOverrideDetails?.claimsToAddOrOverride ?? {};

  test('adds the claim for a user with an authenticator app enabled and preferred, asking Cognito about that user of that pool', async () => {
    cognito.mode = 'answer';
    const before = cognito.requests.length;
    const out = await run(signInEvent('with-app', ['admin']));
    expect(claimsOf(out)).toEqual({ [MFA_CLAIM]: MFA_CLAIM_VALUE });
    expect(cognito.requests.slice(before)).toEqual([{ target: 'AWSCognitoIdentityProviderService.AdminGetUser', body: { UserPoolId: 'eu-west-2_TestPool1', Username: 'with-app' } }]);
    // A refresh, as the user's settings stand then.
    expect(claimsOf(await run(signInEvent('with-app', ['national'], 'TokenGeneration_RefreshTokens')))).toEqual({ [MFA_CLAIM]: MFA_CLAIM_VALUE });
  });

  test('adds nothing for a user with no authenticator app, or one set up and not chosen', async () => {
    cognito.mode = 'answer';
    for (const userName of ['without-app', 'app-not-preferred']) expect(claimsOf(await run(signInEvent(userName, ['commissioner'])))).toEqual({});
  });

  test('marks a provider who has opted in too (made an admin, they can act at once), and keeps what the event already asked for', async () => {
    cognito.mode = 'answer';
    const event = signInEvent('with-app', ['provider']);
    event.response.claimsOverrideDetails = { claimsToAddOrOverride: { other: 'kept', [MFA_CLAIM]: 'forged' }, claimsToSuppress: ['x'] };
    const out = await run(event);
    expect(out.response.claimsOverrideDetails).toEqual({ claimsToAddOrOverride: { other: 'kept', [MFA_CLAIM]: MFA_CLAIM_VALUE }, claimsToSuppress: ['x'] });
    const without = signInEvent('without-app', ['provider']);
    without.response.claimsOverrideDetails = { claimsToAddOrOverride: { [MFA_CLAIM]: MFA_CLAIM_VALUE } };
    expect(claimsOf(await run(without))).toEqual({});
  });

  test('when Cognito fails: a user whose role needs MFA is not signed in (Cognito says so); anyone else is, without the claim', async () => {
    cognito.mode = 'fail';
    await expect(run(signInEvent('with-app', ['admin']))).rejects.toMatchObject({ name: 'InternalErrorException' });
    expect(claimsOf(await run(signInEvent('with-app', ['discharge'])))).toEqual({});
  });

  test('when Cognito hangs: the same, within 3 s, inside the 5 s Cognito gives a trigger', async () => {
    cognito.mode = 'hang';
    let started = performance.now();
    await expect(run(signInEvent('with-app', ['commissioner']))).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(4_500);
    started = performance.now();
    expect(claimsOf(await run(signInEvent('with-app', ['provider'])))).toEqual({});
    expect(performance.now() - started).toBeLessThan(4_500);
  }, 20_000);

  test('bundles as the CDK app bundles it and loads with only its declared environment (it has no settings, no tables)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ct-pre-token-'));
    try {
      const options = esbuildOptionsFor(join(REPO_ROOT, preTokenGenerationFunction.handler), join(out, preTokenGenerationFunction.id));
      await build({ ...options, logLevel: 'silent' });
      await expect(timeImport(options.outfile, importEnvironment(preTokenGenerationFunction), false)).resolves.toMatchObject({ ms: expect.any(Number) });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
