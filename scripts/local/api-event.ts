import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyResultV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { AuthorizerContext } from '#shared/model/access/identity';

export interface IncomingRequest {
  method: string;
  /** Path and query as received, e.g. `/v1/locations?area=E08000004`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
}

/** API Gateway passes these as text; anything else arrives base64-encoded with isBase64Encoded. */
function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript'
  );
}

/**
 * An HTTP request as the API Gateway HTTP API (payload format 2.0) hands it to Lambda: lower-case headers
 * with repeats comma-joined, cookies split out, repeated query parameters comma-joined, path parameters
 * decoded, the authorizer's context under requestContext.authorizer.lambda.
 */
export function toApiGatewayEvent(
  request: IncomingRequest,
  match: { routeKey: string; pathParameters?: Record<string, string> },
  authorizer: AuthorizerContext | undefined,
): APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext> {
  const questionMark = request.url.indexOf('?');
  const rawPath = questionMark === -1 ? request.url : request.url.slice(0, questionMark);
  const rawQueryString = questionMark === -1 ? '' : request.url.slice(questionMark + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[lower] = Array.isArray(value) ? value.join(',') : value;
  }

  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = Object.hasOwn(query, name) ? query[name] : undefined;
    // Defined, not assigned: `query.__proto__ = ...` would be dropped, where API Gateway passes the
    // parameter on (a Lambda's JSON.parse makes it an ordinary member) and the route refuses it.
    Object.defineProperty(query, name, { value: previous === undefined ? value : `${previous},${value}`, enumerable: true, writable: true, configurable: true });
  }

  const now = new Date();
  // Text that is not UTF-8 goes as its bytes (base64), never altered: decoded as text it would arrive
  // with U+FFFD in place of the bad bytes, and the route could no longer refuse it.
  const textual = isTextual(headers['content-type']) && isUtf8(request.body);
  const hasBody = request.body.byteLength > 0;
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(match.pathParameters && Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: match.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: authorizer ? { lambda: authorizer } : undefined,
    } as APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>['requestContext'],
    ...(hasBody ? { body: textual ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !textual,
  };
}

/** The REQUEST authorizer event (payload 2.0) API Gateway sends before a route: the route's view, less the body. */
export function toAuthorizerEvent(routeEvent: APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>): APIGatewayRequestAuthorizerEventV2 {
  const { body: _body, isBase64Encoded: _encoded, requestContext, ...rest } = routeEvent;
  const { authorizer: _authorizer, ...context } = requestContext;
  return {
    ...rest,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:eu-west-2:000000000000:local/$default/${routeEvent.routeKey.replace(' ', '')}`,
    identitySource: [],
    requestContext: context,
  } as APIGatewayRequestAuthorizerEventV2;
}

export interface OutgoingResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * A Lambda result as API Gateway turns it into HTTP (payload format 2.0): a structured result is used as
 * given; anything else is taken as a JSON 200 body.
 */
export function fromLambdaResult(result: APIGatewayProxyResultV2 | undefined): OutgoingResponse {
  if (result !== null && typeof result === 'object' && 'statusCode' in result && typeof result.statusCode === 'number') {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
    const raw = result.body ?? '';
    const body = result.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (headers['content-type'] === undefined && body.byteLength > 0) headers['content-type'] = 'application/json';
    return { statusCode: result.statusCode, headers, body };
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(text, 'utf8') };
}

/** What API Gateway answers when the integration itself fails. */
export function gatewayError(statusCode: number, message: string): OutgoingResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ message })) };
}
