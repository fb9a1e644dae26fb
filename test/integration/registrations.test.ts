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
    // Now that it has a member, nobody else can register it.
    expect((await post('/v1/registrations', { locationId: location.locationId }, as('latecomer'))).status).toBe(409);
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
