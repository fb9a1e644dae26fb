import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, normalize, resolve, sep } from 'node:path';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { ApiEvent, AuthorizerContext } from '#shared/model/access/identity';
import { matchRoute } from '#shared/model/routes';
import { authorizerFunction, fallbackFunction, functionById, type FunctionDefinition } from '#shared/model/functions';
import { VENDOR_ASSETS } from '#shared/model/web-assets';
import { bearerRefusal } from '#shared/model/access/bearer-required';
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_STAGE_VARIABLE } from '#shared/model/access/origin-verify';
import { fromLambdaResult, gatewayError, toApiGatewayEvent, toAuthorizerEvent, type IncomingRequest, type OutgoingResponse } from './api-event';
import { REPO_ROOT, runFunction } from './lambda-runtime';
import { LAMBDA_RESPONSE_LIMIT_BYTES, toProblemResponse } from '#shared/http/response';
import { ProblemError } from '#shared/model/errors';

export { REPO_ROOT };

/** API Gateway's own limits that a caller can hit: the HTTP API payload cap and the integration timeout. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 29_000;

export type LocalRoute = (request: IncomingRequest) => Promise<OutgoingResponse>;

export interface GatewayOptions {
  /** Local-only endpoints (`GET /local/users`, ...), keyed `METHOD /path`. Never in the CDK app. */
  localRoutes: Record<string, LocalRoute>;
  webDir?: string;
  log?: (line: string) => void;
  /** Told the id of every function the gateway runs (the authorizer, a route's, the fallback), as it starts it. */
  onInvoke?: (functionId: string) => void;
  /**
   * The most API requests in flight at once (`npm start`: LOCAL_MAX_IN_FLIGHT); one more is answered 429
   * at once, as API Gateway throttles, instead of queueing behind the others. Undefined: no bound.
   */
  maxInFlight?: number;
}

/** What a throttled request is told to wait before trying again, in seconds. */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;

/**
 * The answer to an API request over the bound. API Gateway's own throttling answers 429 with
 * `{"message":"Too Many Requests"}` and no Retry-After; here it is the API's problem+json, of the same
 * type as the edge's rate rule answers with (`too-many-requests`), with Retry-After, so a client handles
 * one 429 everywhere. Nothing ran and nothing was written: the request may be sent again as it was.
 */
export function tooManyRequests(): OutgoingResponse {
  const result = toProblemResponse(
    new ProblemError({
      status: 429,
      title: 'Too many requests',
      slug: 'too-many-requests',
      detail: `The API is answering as many requests as it can take at once: nothing was done; send the request again after ${THROTTLED_RETRY_AFTER_SECONDS} s (Retry-After).`,
      headers: { 'retry-after': String(THROTTLED_RETRY_AFTER_SECONDS) },
    }),
  );
  return fromLambdaResult(result);
}

/**
 * Which requests count against the bound: the API's, as API Gateway throttles a stage, except the health
 * check (a probe tells a busy API from a down one). The local endpoints, the key set the authorizer
 * fetches from this gateway, and the web pages are never throttled (CloudFront and S3 serve them in AWS).
 */
export function isThrottled(method: string, path: string): boolean {
  if (path !== '/v1' && !path.startsWith('/v1/')) return false;
  return !(method === 'GET' && path === '/v1/health');
}

/** Requests in flight against a bound: a place taken when one arrives, given back once it is answered. */
class InFlightBound {
  private inFlight = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the bound on requests in flight must be a whole number of 1 or more, not ${limit}`);
  }

  tryTake(): boolean {
    if (this.inFlight >= this.limit) return false;
    this.inFlight += 1;
    return true;
  }

  giveBack(): void {
    this.inFlight -= 1;
  }
}

/**
 * What stands in for CloudFront in front of the API: the bearer rule its function applies (the same rule,
 * `shared/model/access/bearer-required.ts`), then the origin header it adds, whose value the stage holds
 * for the authorizer to check (`shared/model/access/origin-verify.ts`). The value is this gateway's own.
 */
interface Edge {
  originSecret: string;
}

/** The first value of a header, as CloudFront's `headers.<name>.value` gives it. */
function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function invoke(definition: FunctionDefinition, event: unknown, onInvoke?: (functionId: string) => void): Promise<OutgoingResponse> {
  onInvoke?.(definition.id);
  try {
    const result = await runFunction(definition, event, { timeoutMs: INTEGRATION_TIMEOUT_MS });
    // A function that runs out of its own time fails its invocation (500); one given more than API
    // Gateway waits is cut off by the gateway (503).
    if (result === 'timeout') return definition.timeoutSeconds * 1000 < INTEGRATION_TIMEOUT_MS ? gatewayError(500, 'Internal Server Error') : gatewayError(503, 'Service Unavailable');
    // Lambda fails an invocation whose response is over 6 MB, and API Gateway answers that with a 500.
    if (Buffer.byteLength(JSON.stringify(result ?? null)) > LAMBDA_RESPONSE_LIMIT_BYTES) return gatewayError(500, 'Internal Server Error');
    return fromLambdaResult(result as APIGatewayProxyResultV2);
  } catch {
    // A handler that throws is a failed integration: API Gateway answers 500 without detail.
    return gatewayError(500, 'Internal Server Error');
  }
}

/** API Gateway's authorizer timeout. */
const AUTHORIZER_TIMEOUT_MS = 10_000;

/**
 * The Lambda authorizer's verdict, as API Gateway acts on it with simple responses: a denial is a bare
 * 403, a failure or a malformed answer a 500; otherwise its context goes to the route.
 */
async function runAuthorizer(routeEvent: ApiEvent, onInvoke?: (functionId: string) => void): Promise<{ context: AuthorizerContext } | OutgoingResponse> {
  onInvoke?.(authorizerFunction.id);
  try {
    const result = await runFunction(authorizerFunction, toAuthorizerEvent(routeEvent), { timeoutMs: AUTHORIZER_TIMEOUT_MS });
    if (result === 'timeout') return gatewayError(500, 'Internal Server Error');
    const verdict = result as { isAuthorized?: unknown; context?: AuthorizerContext };
    if (typeof verdict?.isAuthorized !== 'boolean') return gatewayError(500, 'Internal Server Error');
    if (!verdict.isAuthorized) return gatewayError(403, 'Forbidden');
    return { context: verdict.context ?? ({} as AuthorizerContext) };
  } catch {
    return gatewayError(500, 'Internal Server Error');
  }
}

async function apiResponse(request: IncomingRequest, edge: Edge, onInvoke?: (functionId: string) => void): Promise<OutgoingResponse> {
  const path = request.url.split('?')[0] ?? '/';
  // CloudFront's part: refuse a non-public route without a bearer token before anything runs, then add
  // the origin header (replacing any the caller sent).
  const refusal = bearerRefusal(request.method, path, firstValue(request.headers.authorization));
  if (refusal) return { statusCode: refusal.statusCode, headers: refusal.headers, body: Buffer.from(refusal.body) };
  const forwarded: IncomingRequest = { ...request, headers: { ...request.headers, [ORIGIN_VERIFY_HEADER]: edge.originSecret } };
  const stageVariables = { [ORIGIN_VERIFY_STAGE_VARIABLE]: edge.originSecret };
  const match = matchRoute(request.method, path);
  if (match.kind !== 'matched') {
    const event = toApiGatewayEvent(forwarded, { routeKey: '$default' }, undefined);
    return invoke(fallbackFunction, { ...event, stageVariables }, onInvoke);
  }
  const { route } = match;
  const event: ApiEvent = { ...toApiGatewayEvent(forwarded, { routeKey: `${route.method} ${route.path}`, pathParameters: match.pathParameters }, undefined), stageVariables };
  if (route.access !== 'public') {
    const verdict = await runAuthorizer(event, onInvoke);
    if (!('context' in verdict)) return verdict;
    event.requestContext.authorizer = { lambda: verdict.context };
  }
  return invoke(functionById(route.id), event, onInvoke);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

async function vendorFile(urlPath: string): Promise<OutgoingResponse | undefined> {
  const source = VENDOR_ASSETS[urlPath];
  if (!source) return undefined;
  return { statusCode: 200, headers: { 'content-type': MIME[extname(source)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }, body: await readFile(resolve(REPO_ROOT, source)) };
}

async function staticFile(webDir: string, urlPath: string): Promise<OutgoingResponse | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const root = resolve(webDir);
  const file = resolve(root, `.${normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded)}`);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return {
      statusCode: 200,
      headers: { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' },
      body: await readFile(file),
    };
  } catch {
    return undefined;
  }
}

function readBody(message: IncomingMessage): Promise<Buffer | 'tooLarge'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    message.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    message.on('end', () => resolveBody(tooLarge ? 'tooLarge' : Buffer.concat(chunks)));
    message.on('error', reject);
    // A caller gone before the body ended: nothing to answer, and its place in the bound is given back.
    message.on('close', () => {
      if (!message.complete) reject(new Error('the request was cut off before its body ended'));
    });
  });
}

function send(res: ServerResponse, response: OutgoingResponse): void {
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(response.body.byteLength) });
  res.end(response.body);
}

/**
 * The local stand-in for API Gateway: same routes, same event shape, same handlers as the CDK app. With
 * `maxInFlight`, an API request arriving while that many are in flight is answered 429 at once
 * (`tooManyRequests`), before its body is read or anything runs.
 */
export function createGateway(options: GatewayOptions): Server {
  const edge: Edge = { originSecret: randomBytes(24).toString('base64url') };
  const bound = options.maxInFlight === undefined ? undefined : new InFlightBound(options.maxInFlight);
  return createServer(async (req, res) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const counted = bound !== undefined && isThrottled(req.method ?? 'GET', path);
    if (counted && !bound.tryTake()) {
      // Refused before anything is read: the body is let go so the connection can carry the next request.
      req.resume();
      const response = tooManyRequests();
      send(res, response);
      options.log?.(`${req.method} ${path} ${response.statusCode} ${(performance.now() - started).toFixed(0)}ms`);
      return;
    }
    let response: OutgoingResponse;
    try {
      const body = await readBody(req);
      if (body === 'tooLarge') {
        response = gatewayError(413, 'Request Entity Too Large');
      } else {
        const request: IncomingRequest = {
          method: req.method ?? 'GET',
          url,
          headers: req.headers,
          body,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        };
        const local = options.localRoutes[`${request.method} ${path}`];
        if (local) response = await local(request);
        else if (path === '/v1' || path.startsWith('/v1/')) response = await apiResponse(request, edge, options.onInvoke);
        else
          response =
            (request.method === 'GET' && ((await vendorFile(path)) ?? (options.webDir && (await staticFile(options.webDir, path))))) ||
            gatewayError(404, 'Not Found');
      }
    } catch {
      response = gatewayError(500, 'Internal Server Error');
    } finally {
      if (counted) bound.giveBack();
    }
    send(res, response);
    options.log?.(`${req.method} ${path} ${response.statusCode} ${(performance.now() - started).toFixed(0)}ms`);
  });
}
