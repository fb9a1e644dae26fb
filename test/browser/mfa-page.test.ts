/// <reference lib="dom" />
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, test } from 'vitest';
import { MFA_CLAIM, MFA_CLAIM_VALUE } from '#shared/model/access/identity';
import { accessibilityViolations, chromiumAvailable, useChromium } from './chromium';
import { call, useGateway } from '../helpers/api';
import { authenticatorApp } from '../helpers/totp';

/**
 * Setting up an authenticator app (mfa.html) in Chromium against the local gateway, whose stand-in for
 * Cognito's user API checks the codes: a national user without an app is refused by the API, every page
 * then says where to set one up, the page shows the key as a QR code and as text, refuses a wrong code,
 * turns the app on with a right one, and the user's next sign-in carries it and acts.
 */
const gateway = useGateway();
const chromium = useChromium();

async function localToken(body: unknown): Promise<string> {
  const response = await fetch(`${gateway.url()}/local/token`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

const statusText = (page: import('playwright-core').Page, pattern: RegExp) =>
  page.waitForFunction((source) => new RegExp(source).test(document.getElementById('status')?.textContent ?? ''), pattern.source);

describe.skipIf(!chromiumAvailable)('the authenticator-app page', () => {
  test('from the refusal to a set-up app: notice, QR code and key, a wrong code refused, then the role acts', async () => {
    const withoutApp = await localToken({ user: 'national', mfa: false });
    expect(decodeJwt(withoutApp)[MFA_CLAIM]).toBeUndefined();
    const page = await chromium.signedInPage(withoutApp, 360);
    await page.goto(`${gateway.url()}/areas.html`);

    // The API refuses the role without an app (403 mfa-required); the page says where to set one up.
    const notice = await page.waitForSelector('#mfa-notice a');
    expect(await page.textContent('#mfa-notice')).toMatch(/Your role needs an authenticator app/);
    expect(await notice.getAttribute('href')).toBe('/mfa.html?return=%2Fareas.html');
    await notice.click();
    await page.waitForURL(`${gateway.url()}/mfa.html?return=%2Fareas.html`);

    await page.waitForSelector('#secret');
    const secret = (await page.textContent('#secret'))!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getAttribute('#qr', 'src')).toMatch(/^data:image\/gif;base64,/);
    expect(await page.getAttribute('#qr', 'alt')).toMatch(/QR code/);
    expect(new URL((await page.getAttribute('#otpauth-link', 'href'))!).searchParams.get('secret')).toBe(secret);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(chromium.shots, 'mfa-360.png'), fullPage: true });

    // Not six digits: said at the field, nothing sent.
    await page.fill('#code', '12ab');
    await page.click('#verify button[type=submit]');
    expect(await page.textContent('#code-error')).toBe('Enter the 6 digits the app shows');

    const app = authenticatorApp(secret);
    await page.fill('#code', app.wrongCode());
    await page.click('#verify button[type=submit]');
    await statusText(page, /That code did not match/);
    // Still refused: a wrong code turns nothing on.
    expect(decodeJwt(await localToken({ user: 'national', mfa: false }))[MFA_CLAIM]).toBeUndefined();

    await page.fill('#code', app.code());
    await page.click('#verify button[type=submit]');
    await statusText(page, /Your authenticator app is set up/);
    expect(await page.getAttribute('#status a', 'href')).toBe('/areas.html');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The next sign-in says the app was used (as the pre token trigger would), and the national user acts.
    const withApp = await localToken({ user: 'national', mfa: false });
    expect(decodeJwt(withApp)[MFA_CLAIM]).toBe(MFA_CLAIM_VALUE);
    expect((await call(gateway.url(), 'GET', '/v1/completeness?level=region', { as: { token: withApp } })).status).toBe(200);
    await page.close();
  });

  test('without a sign-in, the page says to sign in first and asks Cognito for nothing', async () => {
    const page = await chromium.newPage();
    await page.goto(`${gateway.url()}/mfa.html`);
    await statusText(page, /Sign in first/);
    expect(await page.isVisible('#secret')).toBe(false);
    expect(await page.getAttribute('#page a', 'href')).toBe('/');
    await page.close();
  });
});
