/// <reference lib="dom" />
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, AXE_FILE, chromiumAvailable, launchChromium } from './chromium';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { configScript, contentSecurityPolicy } from '#infra/constructs/static-site';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';
import { localAccountApi, type LocalAccountApi } from '#scripts/local/account-api-local';
import { VENDOR_ASSETS } from '#shared/model/web-assets';
import { authenticatorApp } from '../helpers/totp';

/**
 * The deployed site's sign-in in a real browser (Debian's Chromium): the pages from web/, with a
 * /config.js written by the same function as the deployed one and the deployed CSP, against a fake
 * Cognito managed login (authorize, token, revoke, logout) that checks what Cognito checks: the client,
 * the redirect URI, PKCE S256 and single-use codes. A fake API behind the pages verifies the ID tokens.
 */
const available = chromiumAvailable;
const WEB = join(REPO_ROOT, 'web');
const CLIENT_ID = 'fake-web-client';
const EMAIL = 'manager@home.example';
const TOKEN = 'capacity-tracker-token';
const REFRESH = 'capacity-tracker-refresh-token';
const PENDING = 'capacity-tracker-sign-in';
const ACCESS = 'capacity-tracker-access-token';
/** Where the fake answers Cognito's user API (AssociateSoftwareToken, ...), as `https://cognito-idp.<region>.amazonaws.com/`. */
const USER_API_PATH = '/user-api/';
const ACCOUNT_SCOPE = 'aws.cognito.signin.user.admin';

const base64url = (bytes: Buffer) => bytes.toString('base64url');
const sha256 = (text: string) => base64url(createHash('sha256').update(text).digest());

function listen(server: Server): Promise<string> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    request.on('error', fail);
  });
}
function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

interface TokenCall {
  fields: Record<string, string>;
  authorization: string | undefined;
  status: number;
}

/** A stand-in for Cognito's managed login endpoints, strict where Cognito is. */
class FakeAuthorizationServer {
  origin = '';
  siteOrigin = '';
  readonly server = createServer((request, response) => void this.handle(request, response));
  private key!: CryptoKey;
  publicKey!: CryptoKey;
  private codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; scope: string }>();
  readonly refreshTokens = new Set<string>();
  /** The scope each refresh token was granted: its access tokens carry it. */
  private scopes = new Map<string, string>();
  /** Access tokens issued, newest last. */
  accessIssued: string[] = [];
  /** Cognito's user API: its answers (the local stand-in's), and each call with the token it carried. */
  accounts!: LocalAccountApi;
  userApiCalls: Array<{ operation: string; accessToken: unknown }> = [];
  authorizeCalls: URLSearchParams[] = [];
  tokenCalls: TokenCall[] = [];
  revoked: string[] = [];
  logoutCalls: URLSearchParams[] = [];
  /** ID tokens issued, newest last. */
  issued: string[] = [];
  /** Lifetimes (seconds) of the next ID tokens issued; one hour once the queue is empty. */
  ttls: number[] = [];
  /** Send the wrong state back, as a forged or mixed-up answer would. */
  wrongState = false;
  /** Answer with this OAuth error instead of a code (Cognito does for a disabled user, a bad request, ...). */
  denyWith: string | undefined;

  async start(): Promise<void> {
    ({ privateKey: this.key, publicKey: this.publicKey } = await generateKeyPair('RS256'));
    this.origin = await listen(this.server);
  }

  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.authorizeCalls = [];
    this.tokenCalls = [];
    this.revoked = [];
    this.logoutCalls = [];
    this.issued = [];
    this.ttls = [];
    this.wrongState = false;
    this.denyWith = undefined;
    this.scopes.clear();
    this.accessIssued = [];
    this.userApiCalls = [];
    // As Cognito's user API: only an access token of this pool with the scope for the user's own account.
    this.accounts = localAccountApi(async (token) => {
      try {
        const { payload } = await jwtVerify(token, this.publicKey, { issuer: this.origin });
        return payload.token_use === 'access' && String(payload.scope).split(' ').includes(ACCOUNT_SCOPE) ? payload.sub : undefined;
      } catch {
        return undefined;
      }
    });
  }

  /** An access token as Cognito's: no audience, the client id and the scope granted. */
  private async accessToken(scope: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ token_use: 'access', client_id: CLIENT_ID, scope })
      .setProtectedHeader({ alg: 'RS256', kid: 'fake-1' })
      .setIssuer(this.origin)
      .setSubject('fake-user-1')
      .setIssuedAt(now)
      .setJti(base64url(randomBytes(12)))
      .setExpirationTime(now + 3600)
      .sign(this.key);
    this.accessIssued.push(token);
    return token;
  }

  private idToken(nonce?: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const token = new SignJWT({ email: EMAIL, 'cognito:groups': ['discharge'], token_use: 'id', ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid: 'fake-1' })
      .setIssuer(this.origin)
      .setAudience(CLIENT_ID)
      .setSubject('fake-user-1')
      .setIssuedAt(now)
      // As Cognito's: each token its own, even two issued in the same second.
      .setJti(base64url(randomBytes(12)))
      .setExpirationTime(now + (this.ttls.shift() ?? 3600))
      .sign(this.key);
    return token.then((signed) => {
      this.issued.push(signed);
      return signed;
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    // The token and revoke endpoints answer the site's scripts; Cognito allows any origin there.
    const cors = { 'access-control-allow-origin': this.siteOrigin };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, x-amz-target' });
      return void response.end();
    }
    if (request.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      this.authorizeCalls.push(q);
      const wrong = [
        q.get('response_type') !== 'code' && 'response_type',
        q.get('client_id') !== CLIENT_ID && 'client_id',
        q.get('redirect_uri') !== `${this.siteOrigin}/signed-in.html` && 'redirect_uri',
        !(q.get('scope') ?? '').split(' ').includes('openid') && 'scope',
        q.get('code_challenge_method') !== 'S256' && 'code_challenge_method',
        !/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '') && 'code_challenge',
        !q.get('state') && 'state',
      ].filter(Boolean);
      if (wrong.length > 0) return json(response, 400, { error: 'invalid_request', wrong });
      // Here Cognito would show its sign-in page; the fake signs the user in at once.
      const code = base64url(randomBytes(16));
      this.codes.set(code, { challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? '', redirectUri: q.get('redirect_uri')!, scope: q.get('scope') ?? '' });
      const back = new URL(q.get('redirect_uri')!);
      if (this.denyWith) back.searchParams.set('error', this.denyWith);
      else back.searchParams.set('code', code);
      back.searchParams.set('state', this.wrongState ? `forged-${q.get('state')}` : q.get('state')!);
      response.writeHead(302, { location: back.toString() });
      return void response.end();
    }
    if (request.method === 'POST' && url.pathname === '/oauth2/token') {
      const fields = Object.fromEntries(new URLSearchParams(await readBody(request)));
      const call: TokenCall = { fields, authorization: request.headers.authorization, status: 200 };
      this.tokenCalls.push(call);
      const refuse = (error: string) => {
        call.status = 400;
        json(response, 400, { error }, cors);
      };
      if (request.headers['content-type'] !== 'application/x-www-form-urlencoded') return refuse('invalid_request');
      // A public client: identified by client_id alone, never by a secret.
      if (fields.client_id !== CLIENT_ID || fields.client_secret !== undefined || request.headers.authorization) return refuse('invalid_client');
      if (fields.grant_type === 'authorization_code') {
        const issued = this.codes.get(fields.code ?? '');
        this.codes.delete(fields.code ?? '');
        if (!issued || issued.redirectUri !== fields.redirect_uri) return refuse('invalid_grant');
        if (!fields.code_verifier || sha256(fields.code_verifier) !== issued.challenge) return refuse('invalid_grant');
        const refreshToken = base64url(randomBytes(24));
        this.refreshTokens.add(refreshToken);
        this.scopes.set(refreshToken, issued.scope);
        return json(response, 200, { id_token: await this.idToken(issued.nonce), access_token: await this.accessToken(issued.scope), refresh_token: refreshToken, token_type: 'Bearer', expires_in: 3600 }, cors);
      }
      if (fields.grant_type === 'refresh_token') {
        if (!this.refreshTokens.has(fields.refresh_token ?? '')) return refuse('invalid_grant');
        return json(response, 200, { id_token: await this.idToken(), access_token: await this.accessToken(this.scopes.get(fields.refresh_token!) ?? ''), token_type: 'Bearer', expires_in: 3600 }, cors);
      }
      return refuse('unsupported_grant_type');
    }
    if (request.method === 'POST' && url.pathname === '/oauth2/revoke') {
      const fields = new URLSearchParams(await readBody(request));
      if (fields.get('client_id') !== CLIENT_ID) return json(response, 400, { error: 'invalid_client' }, cors);
      this.revoked.push(fields.get('token') ?? '');
      this.refreshTokens.delete(fields.get('token') ?? '');
      response.writeHead(200, cors);
      return void response.end();
    }
    if (request.method === 'POST' && url.pathname === USER_API_PATH) {
      const body = Buffer.from(await readBody(request));
      const parsed = JSON.parse(body.toString('utf8') || '{}') as { AccessToken?: unknown };
      this.userApiCalls.push({ operation: String(request.headers['x-amz-target']).replace('AWSCognitoIdentityProviderService.', ''), accessToken: parsed.AccessToken });
      const answer = await this.accounts.handle({ method: 'POST', url: url.pathname, headers: request.headers, body, sourceIp: '127.0.0.1' });
      response.writeHead(answer.statusCode, { ...answer.headers, ...cors });
      return void response.end(answer.body);
    }
    if (request.method === 'GET' && url.pathname === '/logout') {
      this.logoutCalls.push(url.searchParams);
      if (url.searchParams.get('client_id') !== CLIENT_ID || url.searchParams.get('logout_uri') !== `${this.siteOrigin}/`) return json(response, 400, { error: 'invalid_request' });
      response.writeHead(302, { location: url.searchParams.get('logout_uri')! });
      return void response.end();
    }
    json(response, 404, { error: 'not_found' });
  }
}

/** axe-core, served by the site itself so that the CSP (script-src 'self') lets it run in the page. */
const AXE_PATH = '/test-only/axe.min.js';


const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The site: web/ with the deployed CSP and a deployed-style /config.js, and a fake API that checks the ID token. */
class FakeSite {
  origin = '';
  readonly server = createServer((request, response) => void this.handle(request, response));
  /** Each API call: the path, the bearer token, and the answer's status. */
  apiCalls: { path: string; token: string; status: number }[] = [];
  /** Tokens the API refuses although they verify (as if revoked, or a clock ahead of the page's). */
  readonly refused = new Set<string>();

  constructor(private readonly auth: FakeAuthorizationServer) {}

  async start(): Promise<void> {
    this.origin = await listen(this.server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    if (url.pathname.startsWith('/v1/')) return this.api(request, response, url);
    if (url.pathname === '/config.js') {
      response.writeHead(200, { 'content-type': MIME['.js']! });
      return void response.end(
        configScript({ authority: this.auth.origin, clientId: CLIENT_ID, redirectUri: `${this.origin}/signed-in.html`, logoutUri: `${this.origin}/`, accountApi: `${this.auth.origin}${USER_API_PATH}` }),
      );
    }
    if (VENDOR_ASSETS[url.pathname]) {
      response.writeHead(200, { 'content-type': MIME[extname(VENDOR_ASSETS[url.pathname]!)] ?? 'application/octet-stream' });
      return void response.end(await readFile(join(REPO_ROOT, VENDOR_ASSETS[url.pathname]!)));
    }
    if (url.pathname === AXE_PATH) {
      response.writeHead(200, { 'content-type': MIME['.js']! });
      return void response.end(await readFile(AXE_FILE));
    }
    const file = resolve(WEB, `.${normalize(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname)}`);
    if (!file.startsWith(WEB + sep) || !existsSync(file)) return json(response, 404, { detail: 'Not found' });
    response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'content-security-policy': contentSecurityPolicy({ authority: this.auth.origin, accountApi: `${this.auth.origin}${USER_API_PATH}` }) });
    response.end(await readFile(file));
  }

  private async api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    // The search page also lists the user's saved searches when it opens: answered, and left out of the calls the tests follow.
    if (url.pathname === '/v1/saved-searches') return json(response, 200, { items: [] });
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const call = { path: url.pathname, token, status: 200 };
    this.apiCalls.push(call);
    try {
      if (this.refused.has(token)) throw new Error('refused');
      await jwtVerify(token, this.auth.publicKey, { issuer: this.auth.origin, audience: CLIENT_ID, algorithms: ['RS256'] });
    } catch {
      call.status = 401;
      return json(response, 401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The token is missing, expired or not valid' });
    }
    if (url.pathname === '/v1/vacancies') return json(response, 200, { items: [] });
    if (url.pathname === '/v1/locations') return json(response, 200, { items: [{ locationId: '1-101010101', name: 'Fake House', lastUpdated: null }] });
    call.status = 404;
    return json(response, 404, { detail: 'Not found' });
  }
}

const auth = new FakeAuthorizationServer();
const site = new FakeSite(auth);
let browser: Browser;
/** Script errors and CSP violations in any page: the test fails if there were any. */
let problems: string[] = [];

beforeAll(async () => {
  if (!available) return;
  await auth.start();
  await site.start();
  auth.siteOrigin = site.origin;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  auth.server.close();
  site.server.close();
});
beforeEach(() => {
  auth.reset();
  site.apiCalls = [];
  site.refused.clear();
  problems = [];
});
afterEach(() => {
  expect(problems).toEqual([]);
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 360, height: 800 } });
  // Each step takes well under a second: fail fast and say where, rather than at the test's timeout.
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  return page;
}
const storage = (page: Page) =>
  page.evaluate(([t, r, p]) => ({ token: sessionStorage.getItem(t!), refresh: sessionStorage.getItem(r!), pending: sessionStorage.getItem(p!) }), [TOKEN, REFRESH, PENDING]);
const statusText = (page: Page, pattern: RegExp) => page.waitForFunction((source) => new RegExp(source).test(document.getElementById('status')?.textContent ?? ''), pattern.source);

/** From the bed search, through the fake managed login, back to the search with a token. */
async function signInFromSearch(page: Page, start = '/search.html?near=OL8'): Promise<void> {
  await page.goto(`${site.origin}${start}`);
  await statusText(page, /Sign in to search/);
  await page.click('#status button');
  await page.waitForURL(`${site.origin}${start}`);
  await statusText(page, /No place with a matching vacancy/);
}

describe.skipIf(!available)('signing in on the deployed site (OAuth code + PKCE against a fake Cognito)', () => {
  test('a round trip: Cognito, the code exchange with the verifier, the token kept, and back to the starting page', async () => {
    const page = await newPage();
    await signInFromSearch(page, '/search.html?from=round-trip&near=OL8');

    // The authorize request: a code for this client and redirect URI, with a fresh state, nonce and S256 challenge.
    expect(auth.authorizeCalls).toHaveLength(1);
    const authorize = auth.authorizeCalls[0]!;
    expect(Object.fromEntries(authorize)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${site.origin}/signed-in.html`,
      scope: `openid email ${ACCOUNT_SCOPE}`,
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    // The exchange: the verifier whose SHA-256 is the challenge, as a public client (no secret, no Authorization).
    expect(auth.tokenCalls).toHaveLength(1);
    const exchange = auth.tokenCalls[0]!;
    expect(exchange).toMatchObject({ status: 200, authorization: undefined, fields: { grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: `${site.origin}/signed-in.html` } });
    expect(sha256(exchange.fields.code_verifier!)).toBe(authorize.get('code_challenge'));
    expect(exchange.fields.code_verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(exchange.fields.client_secret).toBeUndefined();

    // The ID token is where CapacityTracker.token() reads it, the refresh token beside it; the one-use state is gone.
    const kept = await storage(page);
    expect(kept).toEqual({ token: auth.issued[0], refresh: [...auth.refreshTokens][0], pending: null });
    expect(await page.evaluate(() => (window as unknown as { CapacityTracker: { token(): string } }).CapacityTracker.token())).toBe(auth.issued[0]);
    // Back where the user started, with no code left in the address bar; the API saw the ID token.
    expect(page.url()).toBe(`${site.origin}/search.html?from=round-trip&near=OL8`);
    expect(site.apiCalls.map(({ path, token, status }) => [path, token === auth.issued[0], status])).toEqual([['/v1/vacancies', true, 200]]);
    expect(await page.textContent('#signed-in')).toContain(`Signed in as ${EMAIL}`);
    expect(await page.textContent('#signed-in button')).toBe('Sign out');
    // The callback page is not in the history to go back to (its code is spent anyway).
    await page.goBack();
    expect(page.url()).not.toContain('signed-in.html');
    await page.close();
  });

  test('an answer with the wrong state is refused, saying so, and nothing is exchanged or kept', async () => {
    auth.wrongState = true;
    const page = await newPage();
    await page.goto(`${site.origin}/`);
    await page.waitForSelector('#page button');
    expect(await page.textContent('h1')).toBe('Sign in');
    expect(await accessibilityViolations(page, { url: AXE_PATH })).toEqual([]);
    await page.click('#page button');
    await page.waitForSelector('#sign-in-problem');
    expect(await page.textContent('#sign-in-problem')).toMatch(/does not belong to a sign-in started in this tab, so it was refused/);
    expect(await page.textContent('h1')).toBe('Not signed in');
    expect(await accessibilityViolations(page, { url: AXE_PATH })).toEqual([]);
    expect(page.url()).toBe(`${site.origin}/signed-in.html`);
    expect(auth.tokenCalls).toEqual([]);
    expect(await storage(page)).toEqual({ token: null, refresh: null, pending: null });

    // A callback nobody started here (a code sent to the user by someone else) is refused the same way.
    const forged = await newPage();
    await forged.goto(`${site.origin}/signed-in.html?code=someone-elses&state=guessed`);
    await forged.waitForSelector('#sign-in-problem');
    expect(await forged.textContent('#sign-in-problem')).toMatch(/so it was refused/);
    expect(auth.tokenCalls).toEqual([]);
    expect(await storage(forged)).toEqual({ token: null, refresh: null, pending: null });
    await page.close();
    await forged.close();
  });

  test('an error from the sign-in service is shown only when the answer carries this tab’s state', async () => {
    auth.denyWith = 'access_denied';
    const page = await newPage();
    await page.goto(`${site.origin}/search.html`);
    await page.click('#status button');
    await page.waitForSelector('#sign-in-problem');
    expect(await page.textContent('#sign-in-problem')).toBe('Signing in did not finish: access_denied');
    // A made-up error with no state of this tab is refused without showing its text.
    await page.goto(`${site.origin}/signed-in.html?error=access_denied&error_description=Call+0800+000+000`);
    await page.waitForSelector('#sign-in-problem');
    expect(await page.textContent('#sign-in-problem')).toMatch(/so it was refused/);
    expect(auth.tokenCalls).toEqual([]);
    expect(await storage(page)).toEqual({ token: null, refresh: null, pending: null });
    await page.close();
  });

  test('an exchange with the wrong verifier is refused by the server, and the page says so and keeps nothing', async () => {
    const page = await newPage();
    // Swap the verifier this tab kept for another one, just before the callback page reads it.
    await page.addInitScript(([key]) => {
      if (window.location.pathname !== '/signed-in.html') return;
      const pending = JSON.parse(sessionStorage.getItem(key!) ?? 'null') as { verifier: string } | null;
      if (pending) sessionStorage.setItem(key!, JSON.stringify({ ...pending, verifier: 'A'.repeat(43) }));
    }, [PENDING]);
    await page.goto(`${site.origin}/search.html`);
    await page.click('#status button');
    await page.waitForSelector('#sign-in-problem');
    expect(await page.textContent('#sign-in-problem')).toMatch(/refused to finish this sign-in \(invalid_grant\)/);
    expect(auth.tokenCalls).toEqual([expect.objectContaining({ status: 400, fields: expect.objectContaining({ code_verifier: 'A'.repeat(43) }) })]);
    expect(auth.issued).toEqual([]);
    expect(await storage(page)).toEqual({ token: null, refresh: null, pending: null });
    await page.close();
  });

  test('the ID token is refreshed before it expires, and again when the API answers 401; a refused refresh ends the session', async () => {
    // The first ID token has 30 s left: under the page's one-minute margin, so it is refreshed before use.
    auth.ttls = [30];
    const page = await newPage();
    await signInFromSearch(page);
    const refreshToken = [...auth.refreshTokens][0]!;
    expect(auth.tokenCalls.map((call) => [call.fields.grant_type, call.status])).toEqual([['authorization_code', 200], ['refresh_token', 200]]);
    expect(auth.tokenCalls[1]!.fields).toEqual({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });
    expect(auth.issued).toHaveLength(2);
    expect(site.apiCalls.map((call) => call.token)).toEqual([auth.issued[1]]);
    expect(await storage(page)).toEqual({ token: auth.issued[1], refresh: refreshToken, pending: null });

    // The API refuses the current token: one refresh, the same request again with the new token.
    site.refused.add(auth.issued[1]!);
    await page.click('#search button[type=submit]');
    await expect.poll(() => site.apiCalls.length).toBe(3);
    await statusText(page, /No place with a matching vacancy/);
    expect(site.apiCalls.slice(1).map((call) => [call.token, call.status])).toEqual([[auth.issued[1], 401], [auth.issued[2], 200]]);
    expect((await storage(page)).token).toBe(auth.issued[2]);

    // The refresh token is no longer good (revoked elsewhere): the page says the session is over and forgets it.
    auth.refreshTokens.clear();
    site.refused.add(auth.issued[2]!);
    await page.click('#search button[type=submit]');
    await statusText(page, /Your sign-in has ended\. Sign in again/);
    expect(await storage(page)).toEqual({ token: null, refresh: null, pending: null });
    expect(await page.textContent('#signed-in button')).toBe('Sign in');
    await page.close();
  });

  test('signing out revokes the refresh token, forgets the tokens and goes through Cognito’s sign-out to the start page', async () => {
    const page = await newPage();
    await signInFromSearch(page);
    const refreshToken = [...auth.refreshTokens][0]!;
    await page.click('#signed-in button');
    await page.waitForURL(`${site.origin}/`);
    await page.waitForSelector('#page button');
    expect(auth.revoked).toEqual([refreshToken]);
    expect(auth.logoutCalls.map((q) => Object.fromEntries(q))).toEqual([{ client_id: CLIENT_ID, logout_uri: `${site.origin}/` }]);
    expect(await storage(page)).toEqual({ token: null, refresh: null, pending: null });
    expect(await page.textContent('h1')).toBe('Sign in');
    expect(await page.textContent('#signed-in button')).toBe('Sign in');
    await page.close();
  });
  test('an authenticator app is set up with the access token (never the ID token): QR code and key, a wrong code refused, a right one turns it on', async () => {
    const page = await newPage();
    await signInFromSearch(page);
    // The access token is kept beside the ID token; the header offers the set-up page.
    expect(await page.evaluate((key) => sessionStorage.getItem(key), ACCESS)).toBe(auth.accessIssued[0]);
    await page.click('#signed-in a[href="/mfa.html"]');
    await page.waitForURL(`${site.origin}/mfa.html`);
    await page.waitForSelector('#secret');
    const secret = (await page.textContent('#secret'))!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getAttribute('#qr', 'src')).toMatch(/^data:image\/gif;base64,/);
    const link = new URL((await page.getAttribute('#otpauth-link', 'href'))!);
    expect(link.protocol).toBe('otpauth:');
    expect([link.host, decodeURIComponent(link.pathname)]).toEqual(['totp', `/Capacity Tracker:${EMAIL}`]);
    expect(Object.fromEntries(link.searchParams)).toMatchObject({ secret, issuer: 'Capacity Tracker', digits: '6', period: '30' });
    expect(await accessibilityViolations(page, { url: AXE_PATH })).toEqual([]);

    const app = authenticatorApp(secret);
    await page.fill('#code', app.wrongCode());
    await page.click('#verify button[type=submit]');
    await statusText(page, /That code did not match/);
    expect(await page.getAttribute('#code', 'aria-invalid')).toBe('true');
    expect(auth.accounts.signsInWithAuthenticatorApp('fake-user-1')).toBe(false);

    await page.fill('#code', app.code());
    await page.click('#verify button[type=submit]');
    await statusText(page, /Your authenticator app is set up/);
    expect(auth.accounts.signsInWithAuthenticatorApp('fake-user-1')).toBe(true);
    expect(auth.userApiCalls).toEqual(
      ['AssociateSoftwareToken', 'VerifySoftwareToken', 'VerifySoftwareToken', 'SetUserMFAPreference'].map((operation) => ({ operation, accessToken: auth.accessIssued[0] })),
    );
    // The API was never sent the access token, nor Cognito the ID token.
    expect(site.apiCalls.every((call) => call.token === auth.issued[0])).toBe(true);
    expect(await page.isVisible('#sign-in-again')).toBe(true);
    await page.close();
  });
});
