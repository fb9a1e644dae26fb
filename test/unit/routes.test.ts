import { describe, expect, test } from 'vitest';
import { compilePath, matchRoute, routes, type RouteDefinition } from '#shared/model/routes';
import { ENDPOINTS, matchEndpoint, type EndpointId } from '#shared/model/route-endpoints';
import { factsNeeded } from '#shared/model/access/access';
import type { Role } from '#shared/model/schemas/common';
import { readsAccessFacts } from '#shared/http/route';
import { LocationId } from '#shared/model/schemas/common';

const all = routes as readonly RouteDefinition[];

describe('compilePath', () => {
  test('captures path parameters by name', () => {
    expect(compilePath('/v1/locations/{locationId}/returns/{reportDate}')('/v1/locations/1-109570155/returns/2026-11-22')).toEqual({
      locationId: '1-109570155',
      reportDate: '2026-11-22',
    });
  });

  test('a parameter never spans a slash', () => {
    expect(compilePath('/v1/locations/{locationId}')('/v1/locations/1-109570155/returns')).toBeUndefined();
  });

  test('a parameter cannot be empty', () => {
    expect(compilePath('/v1/locations/{locationId}')('/v1/locations/')).toBeUndefined();
  });

  test('literal segments match literally (a dot is not a wildcard)', () => {
    const match = compilePath('/v1/openapi.json');
    expect(match('/v1/openapi.json')).toEqual({});
    expect(match('/v1/openapiXjson')).toBeUndefined();
    expect(match('/v1/openapi.json/extra')).toBeUndefined();
  });

  test('a percent-encoded parameter comes back decoded', () => {
    expect(compilePath('/v1/locations/{locationId}')('/v1/locations/1-109570155%20x')).toEqual({ locationId: '1-109570155 x' });
  });

  test('a malformed percent escape is passed through as it came', () => {
    expect(compilePath('/v1/locations/{locationId}')('/v1/locations/1-%E0%A4%A')).toEqual({ locationId: '1-%E0%A4%A' });
  });
});

describe('matchRoute', () => {
  test('PUT on a return path is putReturn, with its parameters', () => {
    const match = matchRoute('PUT', '/v1/locations/1-109570155/returns/2026-11-22');
    expect(match.kind).toBe('matched');
    if (match.kind !== 'matched') return;
    expect(match.route.id).toBe('putReturn');
    expect(match.pathParameters).toEqual({ locationId: '1-109570155', reportDate: '2026-11-22' });
  });

  test('the method is matched whatever its case', () => {
    const match = matchRoute('put', '/v1/locations/1-109570155/returns/2026-11-22');
    expect(match.kind === 'matched' && match.route.id).toBe('putReturn');
  });

  test('an encoded slash is decoded into the parameter, which then fails LocationId validation', () => {
    const match = matchRoute('PUT', '/v1/locations/1-109570155%2F..%2Fx/returns/2026-11-22');
    expect(match.kind).toBe('matched');
    if (match.kind !== 'matched') return;
    expect(match.pathParameters.locationId).toBe('1-109570155/../x');
    expect(LocationId.safeParse(match.pathParameters.locationId).success).toBe(false);
  });

  test('GET on a return path is the wrong method, and PUT is the one allowed', () => {
    expect(matchRoute('GET', '/v1/locations/x/returns/2026-01-01')).toEqual({ kind: 'wrongMethod', allowed: ['PUT'] });
  });

  test('GET on the confirm path is the wrong method, and POST is the one allowed', () => {
    expect(matchRoute('GET', '/v1/locations/x/returns/2026-01-01/confirm')).toEqual({ kind: 'wrongMethod', allowed: ['POST'] });
  });

  test('each GET path reaches its own route', () => {
    const ids = (['/v1/health', '/v1/openapi.json', '/v1/locations', '/v1/locations/1-109570155', '/v1/locations/1-109570155/returns'] as const).map((path) => {
      const match = matchRoute('GET', path);
      return match.kind === 'matched' ? match.route.id : match.kind;
    });
    expect(ids).toEqual(['health', 'openapi', 'listLocations', 'getLocation', 'listReturns']);
  });

  test('POST on the confirm path is confirmReturn', () => {
    const match = matchRoute('POST', '/v1/locations/1-109570155/returns/2026-11-22/confirm');
    expect(match.kind === 'matched' && match.route.id).toBe('confirmReturn');
  });

  test.each(['/v1/nope', '/v2/health', '/health', '/v1/locations/1-109570155/returns/2026-11-22/extra', '/v1/health/'])('%s matches nothing', (path) => {
    expect(matchRoute('GET', path)).toEqual({ kind: 'none' });
  });
});

describe('the route table', () => {
  test('every path is under /v1/', () => {
    for (const route of all) expect(route.path, route.id).toMatch(/^\/v1\//);
  });

  test('route ids are unique', () => {
    const ids = all.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('no two routes share a method and path', () => {
    const keys = all.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('every route that is not public names at least one role', () => {
    for (const route of all) {
      if (route.access === 'public') continue;
      expect(route.access.length, route.id).toBeGreaterThan(0);
    }
  });

  test('only health, the OpenAPI document and the unsubscribe link (whose signed token is its authority) are public', () => {
    expect(all.filter((r) => r.access === 'public').map((r) => r.id).sort()).toEqual(['health', 'openapi', 'unsubscribeSavedSearch']);
  });

  test('the routes that take Idempotency-Key are exactly the ones bound to the idempotency table, RW, and none is public', () => {
    const keyed = all.filter((r) => r.request?.idempotencyKey).map((r) => r.id);
    expect(keyed.sort()).toEqual(['bulkReturns', 'confirmReturn', 'putReturn', 'register']);
    expect(all.filter((r) => 'idempotency' in r.tables).map((r) => r.id).sort()).toEqual(keyed.sort());
    for (const route of all.filter((r) => r.request?.idempotencyKey)) {
      expect(route.tables.idempotency, route.id).toBe('RW');
      expect(route.access, route.id).not.toBe('public');
    }
  });

  test('every route matches its own path with a sample of each parameter', () => {
    for (const route of all) {
      const sample = route.path.replace(/\{(\w+)\}/g, (_whole, name: string) => (name === 'reportDate' ? '2026-11-22' : '1-109570155'));
      const match = matchRoute(route.method, sample);
      expect(match.kind === 'matched' && match.route.id, route.id).toBe(route.id);
    }
  });
});

describe('each route defined once, and what a function needs of it', () => {
  test('the table lists every route of ENDPOINTS once, in its order, with its method and path', () => {
    expect(all.map((route) => route.id)).toEqual(Object.keys(ENDPOINTS));
    for (const route of all) expect({ method: route.method, path: route.path }, route.id).toEqual(ENDPOINTS[route.id as EndpointId]);
  });

  test('matchEndpoint (the fallback function) answers as matchRoute (the local gateway) does', () => {
    const samples = [...new Set(all.map((route) => route.path.replace(/\{(\w+)\}/g, 'x'))), '/v1/nope', '/v1/health/', '/v1/exports/aggregates.csv'];
    for (const path of samples) {
      for (const method of ['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD']) {
        const route = matchRoute(method, path);
        const endpoint = matchEndpoint(method, path);
        expect(endpoint.kind === 'matched' ? { kind: 'matched', id: endpoint.id } : endpoint, `${method} ${path}`).toEqual(
          route.kind === 'matched' ? { kind: 'matched', id: route.route.id } : route,
        );
      }
    }
  });

  test('readsAccessFacts is true exactly for the routes where some caller needs facts (factsNeeded)', () => {
    const roles: Role[] = ['provider', 'discharge', 'commissioner', 'national', 'admin'];
    for (const route of all) {
      const needed = roles.some((role) => {
        const facts = factsNeeded(route, { kind: 'user', userId: 'u', role, areas: [] });
        return facts.membership || facts.location;
      });
      expect(readsAccessFacts(route), route.id).toBe(needed);
    }
  });
});
