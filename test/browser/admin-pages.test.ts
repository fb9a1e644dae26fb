/// <reference lib="dom" />
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { register } from '#shared/services/registrations/register';
import type { User } from '#shared/model/schemas/people';
import { accessibilityViolations, chromiumAvailable, useChromium } from './chromium';
import { call, createLocation, tokenFor, useGateway } from '../helpers/api';

/**
 * The admin area (admin.html) and a manager's team page (team.html) in Chromium, against the local gateway
 * and DynamoDB Local: an admin invites, changes and disables users, looks after a location's members and
 * managers, and decides the registration queue; a manager removes a leaver and adds a colleague. Every
 * test makes its own users (unique emails) and locations: other files share the tables.
 */
const available = chromiumAvailable;
const gateway = useGateway();
const chromium = useChromium();
const SHOTS = chromium.shots;

const unique = () => `${Date.now().toString(36)}${randomInt(0, 1_000_000).toString(36)}`;

/** A user, invited through the API by the demo admin. */
async function invite(email: string, role = 'provider', areas?: string[]): Promise<User> {
  const response = await call(gateway.url(), 'POST', '/v1/users', { body: { email, role, ...(areas ? { areas } : {}) } });
  expect(response.status).toBe(201);
  return response.json;
}
async function addMember(locationId: string, userId: string, manager: boolean) {
  const response = await call(gateway.url(), 'PUT', `/v1/locations/${locationId}/members/${userId}`, { body: { manager } });
  expect(response.status).toBe(201);
}
async function membersOf(locationId: string): Promise<Array<{ userId: string; manager: boolean }>> {
  return (await call(gateway.url(), 'GET', `/v1/locations/${locationId}/members`)).json.items;
}

const signedInPage = (token: string, width: number): Promise<Page> => chromium.signedInPage(token, width);
/** The admin area, signed in as the demo admin, once its sections have loaded. */
async function adminPage(width: number, query = ''): Promise<Page> {
  const page = await signedInPage(await tokenFor('admin'), width);
  await page.goto(`${gateway.url()}/admin.html${query}`);
  for (const section of ['users', 'registrations', 'unreachable', 'audit']) await page.waitForSelector(`#${section}[data-loaded]`);
  return page;
}
/** Wait until `selector`'s text matches, then give it. */
async function textMatching(page: Page, selector: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    ([s, source, flags]) => new RegExp(source!, flags).test(document.querySelector(s!)?.textContent ?? ''),
    [selector, pattern.source, pattern.flags],
  );
  return (await page.textContent(selector)) ?? '';
}
const row = (user: { userId: string }) => `tr[data-user="${user.userId}"]`;

describe.skipIf(!available)('the admin area and the team page in Chromium', () => {
  test('signing in on the local stack: the admin page offers the demo admin, the team page the provider users', async () => {
    const page = await chromium.newPage({ viewport: { width: 360, height: 900 } });
    await page.goto(`${gateway.url()}/admin.html`);
    await page.waitForSelector('#page li button');
    expect(await page.textContent('h1')).toBe('Sign in');
    // Admins only (other files may have invited more of them into the shared tables).
    const offered = await page.locator('#page li button').allTextContents();
    expect(offered).toContain('admin (Administrator)');
    for (const text of offered) expect(text).toMatch(/\(Administrator\)$/);
    await page.click('#page li button:text-is("admin (Administrator)")');
    await page.waitForSelector('#users[data-loaded]');
    expect(await page.textContent('#signed-in')).toBe('Signed in as admin (demo)');
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${gateway.url()}/team.html`);
    await page.waitForSelector('#page li button');
    expect(await page.locator('#page li button', { hasText: 'provider-single-site' }).count()).toBe(1);
    expect(await page.locator('#page li button', { hasText: 'Administrator' }).count()).toBe(0);
    await page.click('#page li button:has-text("provider-single-site")');
    // A demo provider with no memberships in the tests' tables: told so.
    expect(await textMatching(page, '#homes-none', /member/)).toMatch(/^You are not a member of any location yet/);
    expect(await accessibilityViolations(page)).toEqual([]);
    // Not an admin: told so once, instead of a page of refusals.
    await page.goto(`${gateway.url()}/admin.html`);
    expect(await textMatching(page, '#page .problem', /administrator/)).toContain('Only an administrator can use this page.');
    await page.close();
  });

  test('an admin invites a user (a bad email shown beside its field), changes their role, and disables them', async () => {
    const id = unique();
    const email = `invited-${id}@homes.example`;
    const page = await adminPage(1280);

    // A bad address: the API's error beside the field and in the summary, whose link names the field.
    await page.fill('#invite-email', 'not-an-email');
    await page.click('#invite-form button[type=submit]');
    expect(await textMatching(page, '#invite-email-error', /email address/)).toMatch(/must be an email address/);
    expect(await page.getAttribute('#invite-email', 'aria-invalid')).toBe('true');
    expect(await page.textContent('#invite-form-errors h2')).toBe('There is a problem');
    expect(await page.getAttribute('#invite-form-errors a', 'href')).toBe('#invite-email');
    expect(await page.textContent('#invite-form-errors a')).toMatch(/^Email address: must be an email address/);
    // Areas are asked for a commissioner only.
    expect(await page.isVisible('#invite-areas')).toBe(false);
    await page.selectOption('#invite-role', 'commissioner');
    expect(await page.isVisible('#invite-areas')).toBe(true);
    await page.selectOption('#invite-role', 'provider');

    await page.fill('#invite-email', email.toUpperCase());
    await page.click('#invite-form button[type=submit]');
    expect(await textMatching(page, '#users-message .done', /Invitation sent/)).toContain(`Invitation sent to ${email}`);
    expect(await page.locator('#invite-form-errors').count()).toBe(0);
    const userId = (await page.textContent('#users-message .user-id'))!;
    const user = { userId };
    // The list now shows them, found by their email.
    await page.waitForSelector(`#users-table ${row(user)}`);
    expect(await page.textContent(`${row(user)} th`)).toContain(email);
    expect(await page.textContent(`${row(user)} .role`)).toBe('Care provider');
    // The same email again: refused, beside the field.
    await page.fill('#invite-email', email);
    await page.click('#invite-form button[type=submit]');
    expect(await textMatching(page, '#invite-email-error', /already/)).toBe('is already a user');

    // A commissioner needs areas, each a real ONS code: the bad one named beside the field.
    await page.click(`${row(user)} button[data-action=change]`);
    await page.selectOption('#user-role', 'commissioner');
    await page.fill('#user-areas', 'E08000004, X1');
    await page.click('#user-form button[type=submit]');
    expect(await textMatching(page, '#user-areas-error', /X1/)).toMatch(/^“X1” must be an ONS council/);
    await page.fill('#user-areas', 'E08000004');
    await page.click('#user-form button[type=submit]');
    expect(await textMatching(page, `${row(user)} .role`, /Commissioner/)).toBe('Commissioner (E08000004)');
    expect(await page.textContent('#users-message .done')).toContain(`${email} is now a commissioner user for E08000004, from their next request.`);
    // Found by role and email: a commissioner now, not a provider.
    await page.selectOption('#filter-role', 'provider');
    await page.click('#users-filter button[type=submit]');
    expect(await textMatching(page, '#users-table caption', /^0 users/)).toBe(`0 users whose email starts with ${email}`);
    await page.selectOption('#filter-role', 'commissioner');
    await page.click('#users-filter button[type=submit]');
    expect(await textMatching(page, '#users-table caption', /^1 user /)).toBe(`1 user whose email starts with ${email}`);
    await page.waitForSelector(`#users-table ${row(user)}`);
    const commissioner = { sub: userId, role: 'commissioner' as const, areas: ['E08000004'] };
    expect((await call(gateway.url(), 'GET', '/v1/completeness?level=localAuthority&area=E08000004', { as: commissioner })).status).toBe(200);

    // Disabled: refused from their next request; enabled again from the same row.
    await page.click(`${row(user)} button[data-action=status]`);
    expect(await textMatching(page, `${row(user)} .user-status`, /Disabled/)).toBe('Disabled');
    expect(await textMatching(page, '#users-status', /disabled/)).toBe(`${email} is disabled: refused from their next request.`);
    expect(await page.textContent(`${row(user)} button[data-action=status]`)).toBe('Enable');
    expect((await call(gateway.url(), 'GET', '/v1/completeness?level=localAuthority&area=E08000004', { as: commissioner })).status).toBe(401);

    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'admin-1280.png'), fullPage: true });
    await page.close();

    const narrow = await adminPage(360);
    expect(await accessibilityViolations(narrow)).toEqual([]);
    await narrow.screenshot({ path: join(SHOTS, 'admin-360.png'), fullPage: true });
    await narrow.close();
  }, 120_000);

  test("a location's members: add a provider user by email, make them manager, the last manager stays one; reminder addresses", async () => {
    const id = unique();
    const location = await createLocation({ name: `Members House ${id}`, providerId: `1-8${String(randomInt(0, 99_999_999)).padStart(8, '0')}` });
    const provider = await invite(`member-${id}@homes.example`);
    const page = await adminPage(360, `?location=${location.locationId}`);
    expect(await textMatching(page, '#members caption', /members|No members/)).toBe('No members yet');
    expect(await page.textContent('#members-title')).toBe(`Members at ${location.name}`);

    // Someone who was never invited: told to invite them first, beside the field.
    await page.fill('#member-person', `nobody-${id}@homes.example`);
    await page.click('#member-form button[type=submit]');
    expect(await textMatching(page, '#member-person-error', /invite/)).toBe('is not a user yet: invite them first (Users)');

    await page.fill('#member-person', provider.email);
    await page.click('#member-form button[type=submit]');
    await page.waitForSelector(`#members ${row(provider)}`);
    expect(await page.textContent('#members-message')).toContain(`${provider.email} was added to ${location.name} as a member.`);
    expect(await page.textContent(`#members ${row(provider)} th`)).toBe(provider.email);
    expect(await page.textContent(`#members ${row(provider)} .manager`)).toBe('Member');

    await page.click(`#members ${row(provider)} button[data-action=manager]`);
    expect(await textMatching(page, `#members ${row(provider)} .manager`, /^Manager$/)).toBe('Manager');
    expect(await page.textContent('#members caption')).toBe('1 member, 1 manager');

    // The only manager cannot stop being one: the API's 409, in words that name the person and the home.
    await page.click(`#members ${row(provider)} button[data-action=manager]`);
    expect(await textMatching(page, '#members-message .problem', /last manager/)).toContain(`${provider.email} is the last manager of ${location.name}. Make someone else a manager first`);
    expect(await page.textContent(`#members ${row(provider)} .manager`)).toBe('Manager');
    expect(await membersOf(location.locationId)).toMatchObject([{ userId: provider.userId, manager: true }]);
    // Nor can they be removed.
    await page.click(`#members ${row(provider)} button[data-action=remove]`);
    await page.click(`#members ${row(provider)} button[data-action=confirm-remove]`);
    expect(await textMatching(page, '#members-message .problem', /last manager/)).toContain('is the last manager');
    expect(await membersOf(location.locationId)).toHaveLength(1);

    // Where its reminders go: a bad address named beside the field, then saved.
    await page.waitForSelector('#contact-form');
    expect(await page.textContent('#contact-none')).toContain(`no reminder reaches ${location.name}`);
    await page.fill('#contact-emails', `office-${id}@homes.example\nnot-an-address`);
    await page.click('#contact-form button[type=submit]');
    expect(await textMatching(page, '#contact-emails-error', /not-an-address/)).toMatch(/^“not-an-address” must be an email address/);
    await page.fill('#contact-emails', `office-${id}@homes.example\nmanager-${id}@homes.example`);
    await page.click('#contact-form button[type=submit]');
    expect(await textMatching(page, '#contact-message .done', /saved/)).toContain(`Reminders for ${location.name} now go to office-${id}@homes.example, manager-${id}@homes.example.`);
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}/contact`)).json).toMatchObject({ reminderEmails: [`office-${id}@homes.example`, `manager-${id}@homes.example`] });

    // The provider's nominated contact: none yet, a bad address refused beside the field, then saved.
    await page.waitForSelector('#provider-contact-form');
    expect(await page.textContent('#provider-contact-email-hint')).toMatch(/^None yet/);
    await page.fill('#provider-contact-email', 'group at providers');
    await page.click('#provider-contact-form button[type=submit]');
    expect(await textMatching(page, '#provider-contact-email-error', /email/)).toMatch(/must be an email address/);
    await page.fill('#provider-contact-email', `Group-${id}@Providers.example`);
    await page.click('#provider-contact-form button[type=submit]');
    expect(await textMatching(page, '#provider-contact-message .done', /saved/)).toContain(`is now group-${id}@providers.example.`);
    expect((await call(gateway.url(), 'GET', `/v1/providers/${location.providerId}/contact`)).json.email).toBe(`group-${id}@providers.example`);

    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#location').screenshot({ path: join(SHOTS, 'admin-members-360.png') });
    await page.close();
  }, 120_000);

  test('the registration queue: a pending request with its location and requester, approved with a note', async () => {
    const id = unique();
    const location = await createLocation({ name: `Queue House ${id}` });
    const asker = await invite(`asker-${id}@homes.example`);
    const { registration } = await register(location.locationId, { kind: 'user', userId: asker.userId, role: 'provider', areas: [] }, new Date());
    const page = await adminPage(1280);
    const request = `#registrations-table tr[data-registration="${registration.registrationId}"]`;
    await page.waitForSelector(request);
    expect(await page.textContent(`${request} th`)).toContain(location.name);
    expect(await page.textContent(`${request} .requester`)).toBe(asker.email);

    await page.fill(`#registrations-note-${registration.registrationId}`, 'Checked with the CQC register');
    await page.click(`${request} button[data-action=approve]`);
    expect(await textMatching(page, `${request} .decided`, /Approved/)).toBe(`Approved: ${asker.email} may now update ${location.name}. Note: “Checked with the CQC register”`);
    // The first approved requester is the location's manager.
    expect(await membersOf(location.locationId)).toMatchObject([{ userId: asker.userId, manager: true }]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#registrations').screenshot({ path: join(SHOTS, 'admin-registrations-1280.png') });
    await page.close();
  }, 120_000);

  test('the unreachable report and the audit trail, by name; "not available yet" where the API lacks a route', async () => {
    const id = unique();
    // A council of its own, so the report for it holds this location alone (other files share the tables).
    const council = `E06${String(randomInt(100_000, 999_999))}`;
    const location = await createLocation({ name: `Audited House ${id}`, localAuthority: council });
    const provider = await invite(`audited-${id}@homes.example`);
    await addMember(location.locationId, provider.userId, true);
    const page = await adminPage(1280);

    // The trail of one location: who did what, by name.
    await page.fill('#audit-location', location.locationId);
    await page.click('#audit-form button[type=submit]');
    await textMatching(page, '#audit-table caption', new RegExp(`^Changes to location ${location.locationId}, page 1$`));
    expect(await page.textContent('#audit-table tbody td:nth-child(3)')).toBe('Added a member');
    expect(await page.textContent('#audit-table tbody td:nth-child(4)')).toBe(`${location.name}: ${provider.email}`);
    expect(await page.textContent('#audit-table tbody')).toContain('Manager: yes');
    expect(await page.locator('#audit-table tbody tr').count()).toBe(1);
    // A day range the wrong way round: the API's error beside the field.
    await page.fill('#audit-from', '2026-12-02');
    await page.fill('#audit-to', '2026-12-01');
    await page.click('#audit-form button[type=submit]');
    expect(await textMatching(page, '#audit-from-error', /before/)).toBe('must be on or before to');

    await page.fill('#unreachable-area', council);
    await page.click('#unreachable-form button[type=submit]');
    await page.waitForSelector(`#unreachable-table tr[data-location="${location.locationId}"]`);
    expect(await page.locator('#unreachable-table tbody tr').count()).toBe(1);
    expect(await page.textContent('#unreachable-table tbody th')).toContain(location.name);
    // It has a manager, but no address for reminders.
    expect(await page.textContent('#unreachable-table tbody td:nth-child(3)')).toBe('No address for reminders');
    // Its members, from the report's row.
    await page.click(`#unreachable-table tr[data-location="${location.locationId}"] button`);
    await page.waitForSelector(`#members ${row(provider)}`);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();

    // An API without these routes (answered by its catch-all 404): the sections say so, nothing breaks.
    const older = await signedInPage(await tokenFor('admin'), 1280);
    for (const route of ['/v1/audit', '/v1/reports/unreachable', `/v1/locations/${location.locationId}/contact`]) {
      await older.route((url) => url.pathname === route, (request) =>
        request.fulfill({ status: 404, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Not found', status: 404, detail: `There is no GET ${route} in this API; see /v1/openapi.json.` }) }),
      );
    }
    await older.goto(`${gateway.url()}/admin.html?location=${location.locationId}`);
    expect(await textMatching(older, '#audit-unavailable', /not available yet/)).toMatch(/^The audit trail is not available yet/);
    expect(await textMatching(older, '#unreachable-unavailable', /not available yet/)).toMatch(/not available yet/);
    expect(await textMatching(older, '#contact-unavailable', /not available yet/)).toMatch(/not available yet/);
    await older.waitForSelector(`#members ${row(provider)}`);
    expect(await accessibilityViolations(older)).toEqual([]);
    await older.close();
  }, 120_000);

  test("a manager's team page: removes a leaver, adds a colleague by user id, pauses and resumes; a plain member may not see it", async () => {
    const id = unique();
    const location = await createLocation({ name: `Team House ${id}` });
    const manager = await invite(`manager-${id}@homes.example`);
    const leaver = await invite(`leaver-${id}@homes.example`);
    const colleague = await invite(`colleague-${id}@homes.example`);
    await addMember(location.locationId, manager.userId, true);
    await addMember(location.locationId, leaver.userId, false);

    for (const width of [360, 1280]) {
      const page = await signedInPage(await tokenFor({ sub: manager.userId, role: 'provider' }), width);
      await page.goto(`${gateway.url()}/team.html?location=${location.locationId}`);
      await page.waitForSelector(`#members ${row(manager)}`);
      await page.waitForSelector('#contact-form');
      expect(await page.textContent('h1')).toBe(location.name);
      expect(await page.textContent('#members-title')).toBe(`Your team at ${location.name}`);
      expect(await page.textContent(`${row(manager)} .manager`)).toBe('Manager');
      if (width === 360) {
        expect(await page.textContent(`${row(leaver)} th`)).toBe(leaver.email);
        expect(await accessibilityViolations(page)).toEqual([]);
        await page.screenshot({ path: join(SHOTS, 'team-360.png'), fullPage: true });

        // The leaver: removed after a second click, and refused from their next request.
        await page.click(`${row(leaver)} button[data-action=remove]`);
        expect(await page.textContent(`${row(leaver)} .actions`)).toContain(`Remove ${leaver.email} from ${location.name}?`);
        await page.click(`${row(leaver)} button[data-action=confirm-remove]`);
        expect(await textMatching(page, '#members-message .done', /removed/)).toContain(`${leaver.email} was removed`);
        expect(await page.locator(`#members ${row(leaver)}`).count()).toBe(0);
        expect((await membersOf(location.locationId)).map((member) => member.userId)).toEqual([manager.userId]);
        expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`, { as: { sub: leaver.userId, role: 'provider' } })).status).toBe(403);

        // A colleague: an email cannot be looked up by a manager; the user id from the admin can.
        await page.fill('#member-person', colleague.email);
        await page.click('#member-form button[type=submit]');
        expect(await textMatching(page, '#member-person-error', /user ID/)).toBe('enter the user ID your administrator gave you, not an email address');
        await page.fill('#member-person', `no-such-user-${id}`);
        await page.click('#member-form button[type=submit]');
        expect(await textMatching(page, '#member-person-error', /invite/)).toMatch(/ask your administrator to invite/);
        await page.fill('#member-person', colleague.userId);
        await page.click('#member-form button[type=submit]');
        await page.waitForSelector(`#members ${row(colleague)}`);
        expect(await page.textContent(`${row(colleague)} th`)).toBe(colleague.email);
        expect(await page.textContent(`${row(colleague)} .manager`)).toBe('Member');

        // Closed for refurbishment: paused until a day, then resumed by hand.
        const until = (await page.getAttribute('#pause-until', 'min'))!;
        await page.click('#pause-form button[type=submit]');
        expect(await textMatching(page, '#pause-reason-error', /why/)).toBe('say why, in a few words');
        await page.fill('#pause-reason', 'Closed for refurbishment');
        await page.fill('#pause-until', until);
        await page.click('#pause-form button[type=submit]');
        expect(await textMatching(page, '#pause-state', /paused/)).toMatch(new RegExp(`^${location.name} is paused since .* \\(Closed for refurbishment\\): no reminders.* It resumes by itself on .*\\(${until}\\)\\.$`));
        expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.pause).toMatchObject({ reason: 'Closed for refurbishment', until, by: manager.userId });
        await page.click('#resume');
        await page.waitForSelector('#pause-form');
        expect(await page.textContent('#pause-message .done')).toContain(`${location.name} is resumed`);
        expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.pause).toBeUndefined();
        expect(await accessibilityViolations(page)).toEqual([]);
      } else {
        expect(await page.locator('#members tbody tr').count()).toBe(2);
        await page.screenshot({ path: join(SHOTS, 'team-1280.png'), fullPage: true });
      }
      await page.close();
    }

    // A plain member sees why not, rather than a broken page.
    const member = await signedInPage(await tokenFor({ sub: colleague.userId, role: 'provider' }), 360);
    await member.goto(`${gateway.url()}/team.html?location=${location.locationId}`);
    expect(await textMatching(member, '#members-message .problem', /manager/)).toContain(`Only a manager of ${location.name}`);
    expect(await member.locator('#member-form').count()).toBe(0);
    expect(await accessibilityViolations(member)).toEqual([]);
    await member.close();
  }, 120_000);
  test('a colleague asks to update a home on the registration page; its manager approves on the team page; the colleague sees it approved', async () => {
    const id = unique();
    const location = await createLocation({ name: `Joining House ${id}` });
    const manager = await invite(`joining-manager-${id}@homes.example`);
    const colleague = await invite(`joining-colleague-${id}@homes.example`);
    await addMember(location.locationId, manager.userId, true);

    const asker = await signedInPage(await tokenFor({ sub: colleague.userId, role: 'provider' }), 360);
    await asker.goto(`${gateway.url()}/register.html`);
    expect(await textMatching(asker, '#mine-status', /not asked/)).toBe('You have not asked for any home yet.');
    // A malformed ID beside the field, an unknown one above the form: nothing asked.
    await asker.fill('#register-location', 'RXH01');
    await asker.click('#register-form button[type=submit]');
    expect(await textMatching(asker, '#register-location-error', /CQC/)).toMatch(/CQC/);
    await asker.fill('#register-location', '1-000000404');
    await asker.click('#register-form button[type=submit]');
    expect(await textMatching(asker, '#register-message .problem', /No such home/)).toContain('1-000000404');
    await asker.fill('#register-location', location.locationId);
    await asker.click('#register-form button[type=submit]');
    expect(await textMatching(asker, '#register-message .done', /asked/)).toContain(`You asked to update ${location.name}.`);
    await asker.waitForSelector('#mine tr[data-status=pending]');
    expect(await asker.textContent('#mine tbody th')).toContain(location.name);
    expect(await accessibilityViolations(asker)).toEqual([]);
    await asker.screenshot({ path: join(SHOTS, 'register-360.png'), fullPage: true });

    const page = await signedInPage(await tokenFor({ sub: manager.userId, role: 'provider' }), 1280);
    await page.goto(`${gateway.url()}/team.html?location=${location.locationId}`);
    await page.waitForSelector('#requests[data-loaded]');
    const request = '#requests-table tbody tr';
    expect(await page.textContent(`${request} .requester`)).toBe(colleague.email);
    await page.click(`${request} button[data-action=approve]`);
    expect(await textMatching(page, `${request} .decided`, /Approved/)).toBe(`Approved: ${colleague.email} may now update ${location.name}.`);
    await page.waitForSelector(`#members ${row(colleague)}`);
    expect(await page.textContent(`${row(colleague)} .manager`)).toBe('Member');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'team-requests-1280.png'), fullPage: true });
    await page.close();

    await asker.reload();
    await asker.waitForSelector('#mine tr[data-status=approved]');
    expect(await asker.textContent('#mine tbody .decision')).toMatch(/^Approved/);
    expect(await asker.getAttribute('#mine tbody th a', 'href')).toBe(`/?location=${location.locationId}`);
    await asker.close();
  }, 120_000);
});
