import { describe, expect, test } from 'vitest';
import { call, createLocation, designExample, today, useGateway } from '../helpers/api';

/**
 * Running the service for real people (DESIGN §10.1), through the local gateway and DynamoDB Local: an
 * admin invites users, a location's manager looks after its members, changes hold from the next request,
 * and a disabled user is refused.
 */
const gateway = useGateway();
const url = () => gateway.url();
const unique = () => `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

/** A token from the local issuer's own sign-in (POST /local/token), as the web page gets one. */
async function signIn(userId: string): Promise<{ token: string } | number> {
  const response = await fetch(`${url()}/local/token`, { method: 'POST', body: JSON.stringify({ user: userId }) });
  return response.ok ? { token: ((await response.json()) as { token: string }).token } : response.status;
}

async function invite(email: string, role = 'provider', areas?: string[]) {
  return call(url(), 'POST', '/v1/users', { body: { email, role, ...(areas ? { areas } : {}) } });
}

/** The figures of a home reporting residential and nursing beds, as the form sends them. */
function figures() {
  const { residential, nursing } = designExample().vacancies;
  return { ...designExample(), vacancies: { residential, nursing } };
}

describe('users, members and managers', () => {
  test('invite: checked, one user per address, and at once a user the local issuer signs for', async () => {
    const email = `Manager.${unique()}@Home.example`;
    const created = await invite(email);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email: email.toLowerCase(), role: 'provider', areas: [], status: 'active', createdBy: 'admin' });
    expect((await invite(email.toUpperCase())).status).toBe(409);

    const listed = (await (await fetch(`${url()}/local/users`)).json()) as Array<{ id: string; email?: string }>;
    expect(listed.find((user) => user.id === created.json.userId)?.email).toBe(email.toLowerCase());
    expect(typeof (await signIn(created.json.userId))).toBe('object');

    const bad = await call(url(), 'POST', '/v1/users', { body: { email: 'not an address', role: 'chief', areas: 'E07000041' } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((error: { path: string }) => error.path).sort()).toEqual(['areas', 'email', 'role']);
    expect((await invite(`c-${unique()}@council.example`, 'commissioner')).json.errors).toEqual([{ path: 'areas', message: 'a commissioner needs at least one area' }]);
    expect((await invite(`c-${unique()}@council.example`, 'commissioner', ['E07000041'])).json.errors[0].path).toBe('areas.0');
    expect((await invite(`d-${unique()}@nhs.example`, 'discharge', ['E10000008'])).status).toBe(400);
    expect((await invite(`c-${unique()}@council.example`, 'commissioner', ['E10000008'])).status).toBe(201);

    // Only an admin: a provider, a national user, no one.
    for (const as of [{ sub: 'p', role: 'provider' as const }, { sub: 'n', role: 'national' as const }]) {
      expect((await call(url(), 'POST', '/v1/users', { as, body: { email: `x-${unique()}@x.example`, role: 'provider' } })).status).toBe(403);
    }
    const page = await call(url(), 'GET', '/v1/users?role=commissioner&limit=100');
    expect(page.status).toBe(200);
    expect(page.json.items.every((user: { role: string }) => user.role === 'commissioner')).toBe(true);
  });

  test('the whole journey: invite, make a manager, a colleague added and then removed, the last manager kept, a user disabled', async () => {
    const location = await createLocation({ name: 'Journey House', categories: ['residential', 'nursing'] });
    const manager = (await invite(`manager-${unique()}@journey.example`)).json;
    const colleague = (await invite(`colleague-${unique()}@journey.example`)).json;
    const members = `/v1/locations/${location.locationId}/members`;

    // The admin makes the invited user the home's manager.
    expect((await call(url(), 'PUT', `${members}/${manager.userId}`, { body: { manager: true } })).status).toBe(201);
    const managerToken = await signIn(manager.userId);
    if (typeof managerToken === 'number') throw new Error(`no token: ${managerToken}`);
    const asManager = { as: managerToken };
    expect((await call(url(), 'PUT', `/v1/locations/${location.locationId}/returns/${today()}`, { ...asManager, body: figures() })).status).toBe(201);

    // The manager adds a colleague, who can send figures from their next request; a plain member cannot manage.
    const added = await call(url(), 'PUT', `${members}/${colleague.userId}`, { ...asManager, body: { manager: false } });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ userId: colleague.userId, email: colleague.email, manager: false, grantedBy: manager.userId });
    const colleagueToken = await signIn(colleague.userId);
    if (typeof colleagueToken === 'number') throw new Error(`no token: ${colleagueToken}`);
    const asColleague = { as: colleagueToken };
    expect((await call(url(), 'PUT', `/v1/locations/${location.locationId}/returns/${today()}`, { ...asColleague, body: figures() })).status).toBe(200);
    expect((await call(url(), 'GET', members, asColleague)).status).toBe(403);
    expect((await call(url(), 'DELETE', `${members}/${manager.userId}`, asColleague)).status).toBe(403);

    const listed = await call(url(), 'GET', members, asManager);
    expect(listed.json.items.map((member: { email: string; manager: boolean }) => [member.email, member.manager])).toEqual([
      [manager.email, true],
      [colleague.email, false],
    ]);

    // Only provider users are members; unknown users and locations are 404s; the body is checked.
    const national = (await invite(`national-${unique()}@dhsc.example`, 'national')).json;
    expect((await call(url(), 'PUT', `${members}/${national.userId}`, { body: { manager: false } })).status).toBe(409);
    expect((await call(url(), 'PUT', `${members}/nobody-${unique()}`, { body: { manager: false } })).status).toBe(404);
    expect((await call(url(), 'PUT', `/v1/locations/1-000000001/members/${colleague.userId}`, { body: {} })).status).toBe(404);
    expect((await call(url(), 'PUT', `${members}/${colleague.userId}`, { body: { manager: 'yes' } })).json.errors[0].path).toBe('manager');

    // The last manager can neither leave nor stop being one; with a second manager, they can.
    expect((await call(url(), 'DELETE', `${members}/${manager.userId}`, asManager)).status).toBe(409);
    expect((await call(url(), 'PUT', `${members}/${manager.userId}`, { ...asManager, body: { manager: false } })).status).toBe(409);

    // A leaver: removed, and refused from their next request.
    expect((await call(url(), 'DELETE', `${members}/${colleague.userId}`, asManager)).status).toBe(204);
    expect((await call(url(), 'PUT', `/v1/locations/${location.locationId}/returns/${today()}`, { ...asColleague, body: figures() })).status).toBe(403);
    expect((await call(url(), 'DELETE', `${members}/${colleague.userId}`, asManager)).status).toBe(404);

    // Disabled by an admin: refused at once (401 saying so), and the local issuer no longer signs for them.
    const disabled = await call(url(), 'PATCH', `/v1/users/${manager.userId}`, { body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.json.status).toBe('disabled');
    const refused = await call(url(), 'GET', `/v1/locations/${location.locationId}`, asManager);
    expect(refused.status).toBe(401);
    expect(refused.json.detail).toMatch(/disabled/);
    expect(await signIn(manager.userId)).toBe(404);
    expect((await call(url(), 'PATCH', `/v1/users/${manager.userId}`, { body: { disabled: false } })).json.status).toBe('active');
    expect((await call(url(), 'GET', `/v1/locations/${location.locationId}`, asManager)).status).toBe(200);
  });

  test('a role change holds from the next request; an admin cannot lock themself out', async () => {
    const user = (await invite(`mover-${unique()}@x.example`, 'discharge')).json;
    const token = await signIn(user.userId);
    if (typeof token === 'number') throw new Error(`no token: ${token}`);
    expect((await call(url(), 'GET', '/v1/completeness?level=region', { as: token })).status).toBe(403);
    const changed = await call(url(), 'PATCH', `/v1/users/${user.userId}`, { body: { role: 'national' } });
    expect(changed.json).toMatchObject({ role: 'national', areas: [] });
    // The same token, issued before the change.
    expect((await call(url(), 'GET', '/v1/completeness?level=region', { as: token })).status).toBe(200);
    expect((await call(url(), 'PATCH', `/v1/users/${user.userId}`, { body: { role: 'commissioner' } })).json.errors).toEqual([{ path: 'areas', message: 'a commissioner needs at least one area' }]);
    expect((await call(url(), 'PATCH', `/v1/users/${user.userId}`, { body: {} })).status).toBe(400);
    expect((await call(url(), 'PATCH', `/v1/users/nobody-${unique()}`, { body: { disabled: true } })).status).toBe(404);

    const admin = (await invite(`admin-${unique()}@x.example`, 'admin')).json;
    const adminToken = await signIn(admin.userId);
    if (typeof adminToken === 'number') throw new Error(`no token: ${adminToken}`);
    expect((await call(url(), 'PATCH', `/v1/users/${admin.userId}`, { as: adminToken, body: { disabled: true } })).status).toBe(409);
  });
});

describe('the audit trail', () => {
  test('every change through the people routes is recorded, who and when, before and after; admins only; never editable', async () => {
    const location = await createLocation({ name: 'Audited House' });
    const user = (await invite(`audited-${unique()}@x.example`)).json;
    await call(url(), 'PUT', `/v1/locations/${location.locationId}/members/${user.userId}`, { body: { manager: true } });
    await call(url(), 'PATCH', `/v1/users/${user.userId}`, { body: { disabled: true } });

    const ofLocation = await call(url(), 'GET', `/v1/audit?locationId=${location.locationId}`);
    expect(ofLocation.status).toBe(200);
    expect(ofLocation.json.items).toEqual([
      { at: expect.any(String), actor: 'admin', action: 'member.add', subject: `location#${location.locationId}`, before: null, after: expect.objectContaining({ userId: user.userId, manager: true }) },
    ]);
    const byAdmin = await call(url(), 'GET', `/v1/audit?actor=admin&limit=200`);
    const mine = byAdmin.json.items.filter((item: { subject: string }) => item.subject === `user#${user.userId}`);
    expect(mine.map((item: { action: string }) => item.action)).toEqual(['user.change', 'user.invite']);
    expect(mine[0]).toMatchObject({ before: { status: 'active' }, after: { status: 'disabled' } });

    // A provider's nominated contact, changed: the entry says what it was.
    const admin = { as: { sub: `admin-${unique()}`, role: 'admin' as const } };
    const providerPath = `/v1/providers/1-8${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}/contact`;
    expect((await call(url(), 'PUT', providerPath, { ...admin, body: { email: 'first@group.example' } })).status).toBe(200);
    expect((await call(url(), 'PUT', providerPath, { ...admin, body: { email: 'second@group.example' } })).status).toBe(200);
    expect((await call(url(), 'GET', providerPath, admin)).json).toEqual({ providerId: providerPath.split('/')[3], email: 'second@group.example' });
    expect((await call(url(), 'GET', '/v1/providers/1-000000001/contact', admin)).json.email).toBeNull();
    expect((await call(url(), 'GET', '/v1/providers/RXH01/contact', admin)).json.errors[0].path).toBe('providerId');
    const contactChanges = await call(url(), 'GET', `/v1/audit?actor=${admin.as.sub}`);
    expect(contactChanges.json.items.map(({ before, after }: { before: unknown; after: unknown }) => ({ before, after }))).toEqual([
      { before: { email: 'first@group.example' }, after: { email: 'second@group.example' } },
      { before: null, after: { email: 'first@group.example' } },
    ]);
    // The month's changes, newest first, paged.
    const first = await call(url(), 'GET', '/v1/audit?limit=2');
    expect(first.json.items).toHaveLength(2);
    expect(first.json.items[0].at >= first.json.items[1].at).toBe(true);
    const second = await call(url(), 'GET', `/v1/audit?limit=2&nextToken=${first.json.nextToken}`);
    expect(second.json.items[0].at <= first.json.items[1].at).toBe(true);

    expect((await call(url(), 'GET', '/v1/audit', { as: { sub: 'n', role: 'national' } })).status).toBe(403);
    expect((await call(url(), 'GET', '/v1/audit?from=2026-12-02&to=2026-12-01')).json.errors[0].path).toBe('query.from');
    expect((await call(url(), 'GET', '/v1/audit?nextToken=garbage')).status).toBe(400);
    // No route writes it: there is no PUT, PATCH or DELETE on /v1/audit.
    expect((await call(url(), 'DELETE', '/v1/audit')).status).toBe(405);
  });
});

describe('contacts, pauses and the unreachable report', () => {
  test('a manager sets where reminders go and pauses the home; the report lists what no reminder reaches or no one can update', async () => {
    const area = 'E10000777';
    const place = { localAuthority: area, region: 'E12000002' };
    const [looked, forgotten, closing] = await Promise.all([createLocation({ name: 'Looked After', ...place }), createLocation({ name: 'Forgotten House', ...place }), createLocation({ name: 'Closing For Works', ...place })]);
    const manager = (await invite(`contacts-${unique()}@x.example`)).json;
    for (const home of [looked, closing]) expect((await call(url(), 'PUT', `/v1/locations/${home.locationId}/members/${manager.userId}`, { body: { manager: true } })).status).toBe(201);
    const token = await signIn(manager.userId);
    if (typeof token === 'number') throw new Error(`no token: ${token}`);
    const asManager = { as: token };

    const contact = `/v1/locations/${looked.locationId}/contact`;
    expect((await call(url(), 'GET', contact, asManager)).json).toEqual({ reminderEmails: [] });
    const bad = await call(url(), 'PUT', contact, { ...asManager, body: { reminderEmails: ['ok@home.example', 'not-an-address'] } });
    expect(bad.json.errors.map((error: { path: string }) => error.path)).toEqual(['reminderEmails.1']);
    expect((await call(url(), 'PUT', contact, { ...asManager, body: { reminderEmails: Array.from({ length: 6 }, (_, n) => `m${n}@home.example`) } })).status).toBe(400);
    expect((await call(url(), 'PUT', contact, { ...asManager, body: { reminderEmails: [] } })).status).toBe(400);
    const set = await call(url(), 'PUT', contact, { ...asManager, body: { reminderEmails: ['Manager@Home.example', 'deputy@home.example'], phone: '01392 491261' } });
    expect(set.json).toEqual({ reminderEmails: ['manager@home.example', 'deputy@home.example'], phone: '01392 491261' });
    expect((await call(url(), 'GET', contact, asManager)).json).toEqual(set.json);
    expect((await call(url(), 'PUT', `/v1/providers/${looked.providerId}/contact`, { body: { email: 'group@providers.example' } })).status).toBe(200);
    expect((await call(url(), 'PUT', `/v1/providers/${looked.providerId}/contact`, { ...asManager, body: { email: 'group@providers.example' } })).status).toBe(403);

    // Closed for works until next week: out of completeness (and reminders) until then.
    const completeness = async () => (await call(url(), 'GET', `/v1/completeness?level=localAuthority&area=${area}`, { as: 'national' })).json.items[0].locations;
    expect(await completeness()).toBe(3);
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const paused = await call(url(), 'POST', `/v1/locations/${closing.locationId}/pause`, { ...asManager, body: { reason: 'refurbishment of the first floor', until } });
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ reason: 'refurbishment of the first floor', until, by: manager.userId });
    expect((await call(url(), 'GET', `/v1/locations/${closing.locationId}`)).json.pause).toMatchObject({ until });
    expect(await completeness()).toBe(2);
    expect((await call(url(), 'POST', `/v1/locations/${closing.locationId}/pause`, { ...asManager, body: { reason: 'again' } })).status).toBe(409);
    expect((await call(url(), 'POST', `/v1/locations/${looked.locationId}/pause`, { ...asManager, body: { reason: 'x' } })).json.errors.map((e: { path: string }) => e.path)).toEqual(['reason']);
    expect((await call(url(), 'POST', `/v1/locations/${looked.locationId}/pause`, { ...asManager, body: { reason: 'works', until: '2020-01-01' } })).json.errors.map((e: { path: string }) => e.path)).toEqual(['until']);

    // The report: the forgotten home (no address, no member); not the looked-after one, not the paused one.
    const report = await call(url(), 'GET', `/v1/reports/unreachable?area=${area}`);
    expect(report.json.items).toEqual([
      { locationId: forgotten.locationId, name: 'Forgotten House', providerId: forgotten.providerId, localAuthority: area, localAuthorityName: null, noReminderAddress: true, noMember: true },
    ]);
    const commissioner = (areas: string[]) => ({ as: { sub: 'c', role: 'commissioner' as const, areas } });
    expect((await call(url(), 'GET', `/v1/reports/unreachable?area=${area}`, commissioner(['E12000002']))).status).toBe(200);
    expect((await call(url(), 'GET', `/v1/reports/unreachable?area=${area}`, commissioner(['E12000009']))).status).toBe(403);
    expect((await call(url(), 'GET', `/v1/reports/unreachable?area=E12000002`, commissioner(['E12000009']))).status).toBe(403);

    // Resumed: counted again, and listed nowhere (it has a member; the directory holds no address for it).
    expect((await call(url(), 'POST', `/v1/locations/${closing.locationId}/resume`, asManager)).status).toBe(204);
    expect((await call(url(), 'POST', `/v1/locations/${closing.locationId}/resume`, asManager)).status).toBe(409);
    expect(await completeness()).toBe(3);
    const after = await call(url(), 'GET', `/v1/reports/unreachable?area=${area}`);
    expect(after.json.items.map((item: { name: string; noReminderAddress: boolean; noMember: boolean }) => [item.name, item.noReminderAddress, item.noMember]).sort()).toEqual([
      ['Closing For Works', true, false],
      ['Forgotten House', true, true],
    ]);
    const audit = await call(url(), 'GET', `/v1/audit?locationId=${closing.locationId}`);
    expect(audit.json.items.map((item: { action: string }) => item.action)).toEqual(['location.resume', 'location.pause', 'member.add']);
  });
});
