import { describe, expect, test } from 'vitest';
import { call, createLocation, designExample, returnPath, today, useGateway, type CallOptions } from '../helpers/api';

const gateway = useGateway();
const as = (sub: string): CallOptions['as'] => ({ sub, role: 'provider' });
const post = (path: string, body: unknown, who: CallOptions['as']) => call(gateway.url(), 'POST', path, { body, as: who });

describe('registering a location', () => {
  test('a provider asks, an admin approves, and the provider can then write its returns', async () => {
    const location = await createLocation({ name: 'Newly Registered House' });
    const user = as(`new-provider-${Date.now()}`);
    // Before approval the provider may not write for it.
    expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: designExample(), as: user })).status).toBe(403);

    const asked = await post('/v1/registrations', { locationId: location.locationId }, user);
    expect(asked.status).toBe(201);
    expect(asked.json).toMatchObject({ locationId: location.locationId, locationName: 'Newly Registered House', status: 'pending' });
    // Asking again gives the same request back.
    const again = await post('/v1/registrations', { locationId: location.locationId }, user);
    expect(again.status).toBe(200);
    expect(again.json.registrationId).toBe(asked.json.registrationId);
    // Someone else asking for it now is told it is taken.
    expect((await post('/v1/registrations', { locationId: location.locationId }, as('someone-else'))).status).toBe(409);

    const pending = await call(gateway.url(), 'GET', '/v1/registrations?status=pending&limit=100');
    expect(pending.json.items.map((r: { registrationId: string }) => r.registrationId)).toContain(asked.json.registrationId);

    const approved = await post(`/v1/registrations/${asked.json.registrationId}/approve`, { note: 'checked with CQC' }, 'admin');
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', decidedBy: 'admin', note: 'checked with CQC' });
    expect((await post(`/v1/registrations/${asked.json.registrationId}/reject`, {}, 'admin')).status).toBe(409);

    expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: designExample(), as: user })).status).toBe(201);
    // The first approved requester is the location's manager: a later request is theirs to decide.
    const members = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}/members`, { as: user });
    expect(members.json.items).toMatchObject([{ userId: (user as { sub: string }).sub, manager: true }]);
    const latecomer = as(`latecomer-${Date.now()}`);
    const later = await post('/v1/registrations', { locationId: location.locationId }, latecomer);
    expect(later.status).toBe(201);
    // The manager sees the request waiting for them; the requester sees their own; nobody else sees the location's.
    const waiting = await call(gateway.url(), 'GET', `/v1/registrations?locationId=${location.locationId}&status=pending`, { as: user });
    expect(waiting.json.items.map((r: { registrationId: string }) => r.registrationId)).toEqual([later.json.registrationId]);
    // Newest first, but both may have been asked within the same second: compare as a set.
    const all = await call(gateway.url(), 'GET', `/v1/registrations?locationId=${location.locationId}`, { as: user });
    expect(all.json.items.map((r: { status: string }) => r.status).sort()).toEqual(['approved', 'pending']);
    expect((await call(gateway.url(), 'GET', `/v1/registrations?locationId=${location.locationId}`, { as: latecomer })).status).toBe(403);
    const own = await call(gateway.url(), 'GET', '/v1/registrations', { as: latecomer });
    expect(own.json).toMatchObject({ items: [{ registrationId: later.json.registrationId, status: 'pending', locationName: 'Newly Registered House' }], nextToken: null });
    expect((await call(gateway.url(), 'GET', `/v1/registrations?locationId=${location.locationId}&nextToken=abc`, { as: user })).json.errors[0].path).toBe('query.nextToken');
    expect((await post(`/v1/registrations/${later.json.registrationId}/approve`, {}, as(`stranger-${Date.now()}`))).status).toBe(403);
    expect((await post(`/v1/registrations/${later.json.registrationId}/approve`, {}, user)).json).toMatchObject({ status: 'approved', decidedBy: (user as { sub: string }).sub });
    const team = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}/members`);
    expect(team.json.items.map((member: { manager: boolean }) => member.manager)).toEqual([true, false]);
    // A member asking again is told so.
    expect((await post('/v1/registrations', { locationId: location.locationId }, latecomer)).status).toBe(409);
    // What became of it, as the requester sees it.
    expect((await call(gateway.url(), 'GET', '/v1/registrations?status=approved', { as: latecomer })).json.items).toMatchObject([{ registrationId: later.json.registrationId, decidedBy: (user as { sub: string }).sub }]);
  });

  test('only providers ask; the request records their email; five pending at most; one pending per location, however they race', async () => {
    const location = await createLocation();
    for (const role of ['discharge', 'commissioner', 'national', 'admin'] as const) {
      expect((await call(gateway.url(), 'POST', '/v1/registrations', { body: { locationId: location.locationId }, as: { sub: `r-${role}`, role, areas: ['E12000002'] } })).status).toBe(403);
    }
    const invited = await call(gateway.url(), 'POST', '/v1/users', { body: { email: `asker-${Date.now()}@home.example`, role: 'provider' } });
    const asked = await post('/v1/registrations', { locationId: location.locationId }, as(invited.json.userId));
    expect(asked.json.email).toBe(invited.json.email);
    const listed = await call(gateway.url(), 'GET', '/v1/registrations?status=pending&limit=100');
    expect(listed.json.items.find((r: { registrationId: string }) => r.registrationId === asked.json.registrationId)?.email).toBe(invited.json.email);

    const busy = as(`busy-${Date.now()}`);
    const locations = await Promise.all(Array.from({ length: 6 }, () => createLocation()));
    const answers = [];
    for (const target of locations) answers.push((await post('/v1/registrations', { locationId: target.locationId }, busy)).status);
    expect(answers).toEqual([201, 201, 201, 201, 201, 409]);

    // Ten users asking for one location at the same moment: exactly one request is pending.
    const contested = await createLocation();
    const raced = await Promise.all(Array.from({ length: 10 }, (_, n) => post('/v1/registrations', { locationId: contested.locationId }, as(`racer-${Date.now()}-${n}`))));
    expect(raced.map((answer) => answer.status).sort()).toEqual([201, ...Array(9).fill(409)]);
  });

  test('unknown, inactive and malformed locations are refused; a rejection grants nothing', async () => {
    expect((await post('/v1/registrations', { locationId: '1-000000009' }, as('p'))).status).toBe(404);
    const closed = await createLocation({ active: false });
    expect((await post('/v1/registrations', { locationId: closed.locationId }, as('p'))).status).toBe(409);
    const malformed = await post('/v1/registrations', { locationId: 'RXH01' }, as('p'));
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors[0].path).toBe('locationId');

    const location = await createLocation();
    const user = as(`rejected-${Date.now()}`);
    const asked = await post('/v1/registrations', { locationId: location.locationId }, user);
    expect((await post(`/v1/registrations/${asked.json.registrationId}/reject`, {}, 'admin')).json.status).toBe('rejected');
    expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: designExample(), as: user })).status).toBe(403);
    expect((await post('/v1/registrations/not-a-uuid/approve', {}, 'admin')).status).toBe(400);
    expect((await post('/v1/registrations/00000000-0000-4000-8000-000000000000/approve', {}, 'admin')).status).toBe(404);
  });
});
