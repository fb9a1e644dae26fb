/**
 * The one rule of who is refused before any function runs: a request for a route of the route table that
 * is not public, without `Authorization: Bearer <something>`. Nothing about it needs the authorizer: the
 * token is not looked at, only whether one was sent. It is applied in two places, from this file alone:
 *
 * - in AWS, by a CloudFront Function on the distribution's `/v1/*` behaviour (viewer request), whose code
 *   `cloudFrontFunctionCode()` generates from the table below, so such a request costs neither the
 *   authorizer nor the route's Lambda, nor an API Gateway request;
 * - locally, by the gateway (`scripts/local/gateway.ts`) before it runs the authorizer, so both answer alike.
 *
 * The answer is the API's own 401 problem+json (`problems.unauthorized()`, as `toProblemResponse` shapes
 * it, `instance` the path), so a client sees one contract wherever it was refused. What is not refused
 * here goes on as before: public routes, paths and methods the API does not have (the fallback's 404/405,
 * the same with or without a token), and any request that carries a bearer token, good or bad, which the
 * authorizer then judges (expired, forged, revoked: 401 saying why).
 */
import { problems } from '#shared/model/errors';
import { routes, type RouteDefinition } from '#shared/model/routes';

/** One route as the edge matches it: the method, the path as a regular expression, and whether a bearer is needed. */
export interface EdgeRoute {
  method: string;
  /** `^...$` source: literal segments escaped, a path parameter one or more characters other than `/`. */
  pattern: string;
  bearer: boolean;
}

/** A path of the route table as API Gateway matches it (`compilePath` in routes.ts, as a regex source). */
export function pathPattern(path: string): string {
  const segments = path.split('/').map((segment) => (/^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return `^${segments.join('/')}$`;
}

/** A literal segment beats a path parameter wherever they differ, as API Gateway (and `matchRoute`) choose. */
const specificity = (path: string) => path.split('/').map((segment) => (segment.startsWith('{') ? '1' : '0')).join('');

/** Every route of the table, most specific first: the first whose method and path match is the route. */
export const EDGE_ROUTES: readonly EdgeRoute[] = (routes as readonly RouteDefinition[])
  .map((route) => ({ route, rank: specificity(route.path) }))
  .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
  .map(({ route }) => ({ method: route.method, pattern: pathPattern(route.path), bearer: route.access !== 'public' }));

const compiled = EDGE_ROUTES.map((route) => ({ ...route, regex: new RegExp(route.pattern) }));

/** Does this request need a bearer token: is it for a route of the table that is not public? */
export function needsBearer(method: string, path: string): boolean {
  const upper = method.toUpperCase();
  for (const route of compiled) if (route.method === upper && route.regex.test(path)) return route.bearer;
  return false;
}

/**
 * `Bearer`, in any case, then whitespace, then at least one more character: the shape of a bearer
 * credential (RFC 6750), whatever the token. A header with two values is judged by its first.
 */
export const BEARER_SHAPE = /^[ \t]*bearer[ \t]+[^ \t]/i;

export function hasBearer(authorization: string | undefined): boolean {
  return authorization !== undefined && BEARER_SHAPE.test(authorization);
}

/** The API's `unauthorized` problem, without its `instance` (the path, added per request). */
const unauthorized = problems.unauthorized();
export const UNAUTHORIZED_PROBLEM = { type: unauthorized.type, title: unauthorized.title, status: unauthorized.status, detail: unauthorized.message } as const;

/** The headers of the API's problem answers (`toProblemResponse`) with the unauthorized problem's own. */
export const UNAUTHORIZED_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/problem+json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  ...unauthorized.headers,
};

export interface EdgeRefusal {
  statusCode: 401;
  headers: Record<string, string>;
  body: string;
}

/** The body of the refusal: key for key what the API answers a request without a token. */
export function unauthorizedBody(path: string): string {
  return JSON.stringify({ ...UNAUTHORIZED_PROBLEM, instance: path });
}

/** The refusal for a request, or undefined when it goes on to API Gateway (or, locally, the authorizer). */
export function bearerRefusal(method: string, path: string, authorization: string | undefined): EdgeRefusal | undefined {
  if (!needsBearer(method, path) || hasBearer(authorization)) return undefined;
  return { statusCode: 401, headers: { ...UNAUTHORIZED_HEADERS }, body: unauthorizedBody(path) };
}

/**
 * The CloudFront Function (cloudfront-js-2.0, viewer request) that applies the rule at the edge: the same
 * table, the same test of the header, the same answer, as plain ES5-style JavaScript (the runtime has no
 * modules and a 10 KB limit). `event.request.uri` is the path without the query, as `rawPath` is for API
 * Gateway; header names arrive lower-cased, and a repeated header's first value is `value`.
 */
export function cloudFrontFunctionCode(): string {
  const table = EDGE_ROUTES.map((route) => [route.method, route.pattern, route.bearer ? 1 : 0]);
  const headers = Object.fromEntries(Object.entries(UNAUTHORIZED_HEADERS).map(([name, value]) => [name, { value }]));
  return [
    '// Generated by shared/model/access/bearer-required.ts: refuses a non-public API route without a bearer token.',
    `var ROUTES = ${JSON.stringify(table)}.map(function (r) { return { method: r[0], regex: new RegExp(r[1]), bearer: r[2] === 1 }; });`,
    `var BEARER = ${BEARER_SHAPE.toString()};`,
    `var PROBLEM = ${JSON.stringify(UNAUTHORIZED_PROBLEM)};`,
    `var HEADERS = ${JSON.stringify(headers)};`,
    'function needsBearer(method, path) {',
    '  var upper = method.toUpperCase();',
    '  for (var i = 0; i < ROUTES.length; i++) {',
    '    if (ROUTES[i].method === upper && ROUTES[i].regex.test(path)) return ROUTES[i].bearer;',
    '  }',
    '  return false;',
    '}',
    'function handler(event) {',
    '  var request = event.request;',
    '  if (!needsBearer(request.method, request.uri)) return request;',
    '  var authorization = request.headers.authorization;',
    '  if (authorization && BEARER.test(authorization.value)) return request;',
    '  var body = { type: PROBLEM.type, title: PROBLEM.title, status: PROBLEM.status, detail: PROBLEM.detail, instance: request.uri };',
    "  return { statusCode: 401, statusDescription: 'Unauthorized', headers: HEADERS, body: { encoding: 'text', data: JSON.stringify(body) } };",
    '}',
    '',
  ].join('\n');
}
