import { describe, expect, test, vi } from 'vitest';
import type { AuthorizerContext } from '#shared/model/access/identity';
import type { AccessFacts } from '#shared/model/access/access';
import { listReturnsRoute } from '#shared/model/route-returns';
import { httpRoute, type AccessFactsLoader } from '#shared/http/route';
import { json } from '#shared/http/response';
import { toApiGatewayEvent } from '#scripts/local/api-event';
import { lambdaContext } from '#scripts/local/lambda-context';

/**
 * What the access check read about the location (its loader's `read`: for a return write, the location
 * read in the same BatchGetItem as the caller's membership) reaches the route only when the caller is let
 * in, and only as that loader read it for that request; a caller the loader is not asked about gets none.
 * No DynamoDB here: the loader is a stand-in.
 */
const LOCATION = '1-109570155';

function eventAs(caller: AuthorizerContext) {
  const url = `/v1/locations/${LOCATION}/returns`;
  return toApiGatewayEvent(
    { method: 'GET', url, headers: { host: 'localhost' }, body: Buffer.alloc(0), sourceIp: '127.0.0.1' },
    { routeKey: `GET ${listReturnsRoute.path}`, pathParameters: { locationId: LOCATION } },
    caller,
  );
}

const provider: AuthorizerContext = { kind: 'user', userId: 'provider-1', role: 'provider', areas: '' };
const national: AuthorizerContext = { kind: 'user', userId: 'national-1', role: 'national', areas: '' };

function routeWith(facts: AccessFacts & { read?: { location: string } }) {
  const loader = vi.fn<AccessFactsLoader<{ location: string }>>(async () => facts);
  const seen: Array<{ location: string } | undefined> = [];
  const handler = httpRoute(
    listReturnsRoute,
    async ({ accessRead }) => {
      seen.push(accessRead);
      return json(200, { ok: true });
    },
    { accessFacts: loader },
  );
  const invoke = async (caller: AuthorizerContext) => handler(eventAs(caller), lambdaContext('listReturns', 10_000));
  return { loader, seen, invoke };
}

describe('the access check hands on what it read', () => {
  test('a member: the route is given the read, as the loader read it for this request', async () => {
    const { loader, seen, invoke } = routeWith({ isMember: true, isManager: false, read: { location: 'as read' } });
    const response = await invoke(provider);
    expect(response.statusCode).toBe(200);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(loader.mock.calls[0]![2]).toBe(LOCATION);
    expect(seen).toEqual([{ location: 'as read' }]);
  });

  test('a provider who is not a member: 403 problem+json, the route never runs', async () => {
    const { seen, invoke } = routeWith({ isMember: false, isManager: false, read: { location: 'as read' } });
    const response = await invoke(provider);
    expect(response.statusCode).toBe(403);
    expect(response.headers?.['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(String(response.body))).toMatchObject({ status: 403, detail: `You are not a member of location ${LOCATION}.` });
    expect(seen).toEqual([]);
  });

  test('a caller whose access needs no facts: the loader is not asked, the route gets no read', async () => {
    const { loader, seen, invoke } = routeWith({ read: { location: 'never' } });
    const response = await invoke(national);
    expect(response.statusCode).toBe(200);
    expect(loader).not.toHaveBeenCalled();
    expect(seen).toEqual([undefined]);
  });

  test('a loader that reads nothing more (loadAccessFacts): the route gets no read', async () => {
    const { seen, invoke } = routeWith({ isMember: true, isManager: false });
    expect((await invoke(provider)).statusCode).toBe(200);
    expect(seen).toEqual([undefined]);
  });
});
