import { describe, expect, test } from 'vitest';
import { ROUTES_THAT_READ_THEIR_CALLER, routeReadsItsCaller, settleCaller } from '#shared/model/access/caller-check';
import { callerFromContext, principalFromEvent, type ApiEvent, type TokenClaims } from '#shared/model/access/identity';
import { ENDPOINTS } from '#shared/model/route-endpoints';
import { routes, type RouteDefinition } from '#shared/model/routes';

const token = (claims: Partial<TokenClaims> = {}): TokenClaims => ({ userId: 'u-1', role: 'provider', areas: [], mfa: false, ...claims });

describe('settleCaller: the users table has the last word', () => {
  test('a disabled user is refused, whatever the token says', () => {
    expect(settleCaller(token({ role: 'admin', mfa: true }), { role: 'admin', areas: [], status: 'disabled' })).toEqual({ kind: 'anonymous', reason: 'disabled' });
  });

  test("the stored role and areas hold over the token's; a user the table does not hold is as the token says", () => {
    expect(settleCaller(token({ role: 'provider' }), { role: 'discharge', areas: [], status: 'active' })).toEqual({ kind: 'user', userId: 'u-1', role: 'discharge', areas: '' });
    expect(settleCaller(token({ role: 'commissioner', areas: ['E12000001'], mfa: true }), { role: 'commissioner', areas: ['E12000002', 'E06000001'], status: 'active' })).toEqual({
      kind: 'user',
      userId: 'u-1',
      role: 'commissioner',
      areas: 'E12000002,E06000001',
    });
    expect(settleCaller(token({ role: 'discharge' }), undefined)).toEqual({ kind: 'user', userId: 'u-1', role: 'discharge', areas: '' });
  });

  test('a role that needs MFA (the stored one, else the token one) without it is mfaRequired', () => {
    expect(settleCaller(token({ role: 'provider' }), { role: 'admin', areas: [], status: 'active' })).toEqual({ kind: 'mfaRequired', userId: 'u-1', role: 'admin' });
    expect(settleCaller(token({ role: 'national' }), undefined)).toEqual({ kind: 'mfaRequired', userId: 'u-1', role: 'national' });
    expect(settleCaller(token({ role: 'admin' }), { role: 'provider', areas: [], status: 'active' })).toMatchObject({ kind: 'user', role: 'provider' });
  });
});

describe('the routes that read their caller', () => {
  test('are the return writes: the authorizer knows them by route key, and nothing else reads its caller', () => {
    expect(ROUTES_THAT_READ_THEIR_CALLER).toEqual(['putReturn', 'confirmReturn']);
    expect(routeReadsItsCaller('PUT /v1/locations/{locationId}/returns/{reportDate}')).toBe(true);
    expect(routeReadsItsCaller('POST /v1/locations/{locationId}/returns/{reportDate}/confirm')).toBe(true);
    const others = Object.entries(ENDPOINTS).filter(([id]) => !(ROUTES_THAT_READ_THEIR_CALLER as readonly string[]).includes(id));
    expect(others.filter(([, { method, path }]) => routeReadsItsCaller(`${method} ${path}`))).toEqual([]);
    expect(routeReadsItsCaller(undefined)).toBe(false);
    expect(routeReadsItsCaller('$default')).toBe(false);
  });

  test('are granted the users table read-only, and BatchGetItem on it alone', () => {
    for (const id of ROUTES_THAT_READ_THEIR_CALLER) {
      const route: RouteDefinition = routes.find((candidate) => candidate.id === id)!;
      expect(route.scope).toBe('location');
      expect(route.tables.users).toBe('RO');
      expect(route.dynamodb.users).toEqual(['BatchGetItem']);
    }
  });
});

describe("a token whose user the route has still to read (the authorizer's tokenUser)", () => {
  const lambda = { kind: 'tokenUser', userId: 'u-1', role: 'provider', areas: 'E12000002', mfa: 'false' };

  test('is pending for the route that reads it, with what the token claims', () => {
    expect(callerFromContext(lambda)).toEqual({ pending: { userId: 'u-1', role: 'provider', areas: ['E12000002'], mfa: false } });
  });

  test('is refused by every route that leaves the user to the authorizer (fails closed)', () => {
    const event = { requestContext: { authorizer: { lambda } } } as unknown as ApiEvent;
    expect(() => principalFromEvent(event)).toThrow(/does not read it/);
  });
});
