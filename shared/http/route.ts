import type { Context } from 'aws-lambda';
import { decideAccess, factsNeeded, type AccessFacts } from '#shared/model/access/access';
import { callerFromContext, type ApiEvent, type Principal, type TokenClaims } from '#shared/model/access/identity';
import { ROUTES_THAT_READ_THEIR_CALLER, settleCaller, type StoredCaller } from '#shared/model/access/caller-check';
import { LocationPath } from '#shared/model/schemas/paths';
import { problems } from '#shared/model/errors';
import type { RouteDefinition } from '#shared/model/routes';
import { pathParams } from '#shared/http/request';
import { idempotencyPayload, type IdempotencyPayload } from '#shared/http/idempotency-key';
import { routeHandler, type RouteHandler, type RouteResult } from '#shared/http/handler';

export type { RouteResult } from '#shared/http/handler';

export interface RouteRequest<P extends Principal | undefined = Principal | undefined, R extends RouteDefinition = RouteDefinition, Read = never> {
  event: ApiEvent;
  context: Context;
  route: R;
  /** Who is calling: always there on a signed-in route, never on a public one. */
  principal: P;
  /**
   * What the access check read about the location that the route may use instead of reading it again
   * (its `accessFacts` loader's `read`): there only when the loader read it for this caller, on this request.
   */
  accessRead?: Read;
}

type PrincipalOf<R extends RouteDefinition> = R['access'] extends 'public' ? undefined : Principal;

/**
 * Reads what the access rule needs to know about one location (`shared/services/auth/facts.ts`), and
 * may hand on what else it read in the same round trip (`read`: e.g. the location a return write needs),
 * which the route is given (`RouteRequest.accessRead`) once the caller is let in. On a route that reads
 * its caller (`ROUTES_THAT_READ_THEIR_CALLER`), asked to (`readCaller`), it also reads the caller's user
 * record (`caller`), for `principal` is then only what the token claims.
 */
export type AccessFactsLoader<Read = never> = (
  route: RouteDefinition,
  principal: Principal,
  locationId: string,
  options?: { readCaller?: boolean },
) => Promise<AccessFacts & { read?: Read; caller?: StoredCaller | undefined }>;

/** Serves a keyed write once (`shared/http/idempotency.ts`). */
export type ServeIdempotently = (payload: IdempotencyPayload, context: Context, serve: () => Promise<RouteResult>) => Promise<RouteResult>;

/**
 * What some routes need beyond the role check, given by the function that serves them so that only its
 * bundle carries it:
 *
 * - `accessFacts`: a route about one location that providers or commissioners may call reads the
 *   caller's membership or the location's areas (`loadAccessFacts`); a return write reads the membership
 *   and the location in one batch and is handed the location (`loadWriteAccessFacts`, `accessRead`);
 * - `idempotency`: a route that takes `Idempotency-Key` serves a keyed request once, with Powertools
 *   idempotency (`serveIdempotently`). Imported, not loaded with `import()`: in a one-file bundle a
 *   dynamic import keeps every export of the modules behind it (54 KB more for `putReturn`, the whole
 *   DynamoDB client's command set), where a static one is tree-shaken.
 *
 * Each is required (by the type, and at cold start) for exactly the routes that need it.
 */
export interface RouteFeatures<Read = never> {
  accessFacts?: AccessFactsLoader<Read>;
  idempotency?: ServeIdempotently;
}

/** Does the access rule read facts about the location for some caller of this route (`factsNeeded`)? */
export function readsAccessFacts(route: RouteDefinition): boolean {
  return route.scope === 'location' && route.access !== 'public' && route.access.some((role) => role === 'provider' || role === 'commissioner');
}

type RolesOf<R> = R extends { access: readonly (infer Role)[] } ? Role : never;
type ReadsFacts<R> = R extends { scope: 'location' } ? ([Extract<RolesOf<R>, 'provider' | 'commissioner'>] extends [never] ? false : true) : false;
type TakesKey<R> = R extends { request: { idempotencyKey: true } } ? true : false;
export type FeaturesOf<R, Read = never> = (ReadsFacts<R> extends true ? { accessFacts: AccessFactsLoader<Read> } : { accessFacts?: never }) &
  (TakesKey<R> extends true ? { idempotency: ServeIdempotently } : { idempotency?: never });
type FeaturesArgument<R, Read> = object extends FeaturesOf<R, Read> ? [features?: FeaturesOf<R, Read>] : [features: FeaturesOf<R, Read>];

const readsItsCaller = (route: RouteDefinition) => (ROUTES_THAT_READ_THEIR_CALLER as readonly string[]).includes(route.id);

/**
 * The one authorization check every signed-in route goes through: who the authorizer says is calling,
 * the route table's roles, and for a route about one location the membership or area rule (reading only
 * the facts the decision needs). No handler re-implements any of it.
 */
async function authorize<Read>(route: RouteDefinition, event: ApiEvent, accessFacts: AccessFactsLoader<Read> | undefined): Promise<{ principal?: Principal; read?: Read }> {
  if (route.access === 'public') return {};
  const caller = callerFromContext(event.requestContext.authorizer?.lambda);
  // Validated before anything is read with it, so a hostile id is a 400, not a DynamoDB error.
  const locationId = route.scope === 'location' ? pathParams(event, LocationPath).locationId : undefined;
  if ('pending' in caller) return authorizePending(route, caller.pending, locationId, accessFacts);
  return decide(route, caller, locationId, accessFacts);
}

async function decide<Read>(route: RouteDefinition, principal: Principal, locationId: string | undefined, accessFacts: AccessFactsLoader<Read> | undefined, loaded?: AccessFacts & { read?: Read }) {
  const needed = factsNeeded(route, principal);
  // `httpRoute` made sure a route that can need facts was given the loader; without facts, nobody who
  // needs them is let in (`decideAccess` refuses a provider who is not known to be a member).
  const { read, ...facts }: AccessFacts & { read?: Read } =
    loaded ?? (locationId !== undefined && (needed.membership || needed.location) && accessFacts ? await accessFacts(route, principal, locationId) : {});
  const decision = decideAccess(route, principal, locationId, facts);
  if (!decision.allowed) throw problems.forbidden(decision.reason);
  return { principal, ...(read !== undefined ? { read } : {}) };
}

/**
 * A caller whose user record the authorizer left to this route: read in the same round trip as the
 * access facts (as the token's claims need them), then settled as the authorizer would have settled it
 * (`settleCaller`: disabled refused, the stored role and areas). Should the stored role or areas differ
 * from the token's, the facts read for the token's are not used: they are read again for the stored ones.
 */
async function authorizePending<Read>(route: RouteDefinition, pending: TokenClaims, locationId: string | undefined, accessFacts: AccessFactsLoader<Read> | undefined) {
  // Fails closed: only a route that reads its caller, with a loader to read it, may be handed one unread.
  if (!readsItsCaller(route) || !accessFacts || locationId === undefined) throw new Error(`${route.id}: the authorizer left the caller's user record to a route that does not read it`);
  const claimed: Principal = { kind: 'user', userId: pending.userId, role: pending.role, areas: pending.areas };
  const { caller: stored, ...loaded } = await accessFacts(route, claimed, locationId, { readCaller: true });
  const settled = callerFromContext(settleCaller(pending, stored));
  if ('pending' in settled) throw new Error('a settled caller is never pending');
  const asClaimed = settled.kind === 'user' && settled.role === claimed.role && settled.areas.join(',') === claimed.areas.join(',');
  return decide(route, settled, locationId, accessFacts, asClaimed ? loaded : undefined);
}

/**
 * Wraps a route's logic in the house middleware chain (`handler.ts`), then authorization, then (on a
 * route that takes `Idempotency-Key`, when the request carries one) Powertools idempotency.
 *
 * Idempotency comes after authorization on purpose: a stored response is replayed only to a caller
 * who may make the request now, and only to the caller who made it (the key is scoped to the principal).
 *
 * The function passes its own route's definition (`#shared/model/route-<area>`), not an id to look up in
 * the whole table, and what its route needs (`RouteFeatures`): its bundle holds that and nothing more.
 */
export function httpRoute<R extends RouteDefinition, Read = never>(
  route: R,
  serve: (request: RouteRequest<PrincipalOf<R>, R, Read>) => Promise<RouteResult>,
  ...features: FeaturesArgument<R, Read>
): RouteHandler {
  const { accessFacts, idempotency }: RouteFeatures<Read> = features[0] ?? {};
  // At cold start, not at the first request that needs them: a function missing one does not load.
  if (readsAccessFacts(route) && !accessFacts) throw new Error(`${route.id}: a route about one location needs accessFacts (loadAccessFacts)`);
  if (readsItsCaller(route) && !accessFacts) throw new Error(`${route.id}: a route that reads its caller needs accessFacts (loadWriteAccessFacts)`);
  if (route.request?.idempotencyKey && !idempotency) throw new Error(`${route.id}: a route that takes Idempotency-Key needs idempotency (serveIdempotently)`);
  return routeHandler(route.id, async (event, context) => {
    const { principal, read } = await authorize(route, event, accessFacts);
    const run = () => serve({ event, context, route, principal: principal as PrincipalOf<R>, ...(read !== undefined ? { accessRead: read } : {}) });
    const keyed = route.request?.idempotencyKey && principal ? idempotencyPayload(event, principal) : undefined;
    if (keyed === undefined || !idempotency) return run();
    return idempotency(keyed, context, run);
  });
}
