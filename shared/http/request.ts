import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { parseOrThrow, problems } from '#shared/model/errors';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The body's bytes, size-checked: 64 KiB, unless the route declares another limit
 * (`request.maxBodyBytes` in the route table, e.g. the bulk upload's).
 */
export function bodyBytes(event: APIGatewayProxyEventV2, maxBytes = MAX_BODY_BYTES): Buffer {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > maxBytes) throw problems.payloadTooLarge(maxBytes);
  return bytes;
}

/** The Content-Type's media type, lower case, without parameters; '' when there is none. */
export function mediaTypeOf(event: APIGatewayProxyEventV2): string {
  return (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * The JSON body, size-checked, parsed and validated. Malformed JSON and a wrong content type are the
 * caller's mistakes, so they are 4xx with a message, never a 500.
 */
export function jsonBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S, options: { optional?: boolean; maxBytes?: number } = {}): z.infer<S> {
  const bytes = bodyBytes(event, options.maxBytes);
  const contentType = mediaTypeOf(event);
  if (bytes.byteLength === 0 && options.optional) return parseOrThrow(schema, {});
  if (contentType !== '' && contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw problems.unsupportedMediaType(`Send the body as application/json, not ${contentType}.`);
  }
  if (bytes.byteLength === 0) throw problems.malformedJson('The request needs a JSON body.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'the body is not valid UTF-8';
    throw problems.malformedJson(`The body is not valid JSON: ${reason}`);
  }
  return parseOrThrow(schema, parsed);
}

/** Query parameters validated against a schema; errors are reported under `query.<name>`. */
export function queryParams<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  return parseOrThrow(schema, event.queryStringParameters ?? {}, ['query']);
}

export function pathParams<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> {
  return parseOrThrow(schema, event.pathParameters ?? {});
}

/**
 * `If-Match: "3"` → 3; `*` → 'any' (some version must exist); absent → undefined. Weak tags are refused:
 * a write precondition needs a strong comparison (RFC 9110 §13.1.1).
 */
export function ifMatchVersion(event: APIGatewayProxyEventV2): number | 'any' | undefined {
  const header = event.headers['if-match'];
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return 'any';
  const match = /^"?([1-9][0-9]{0,8})"?$/.exec(value);
  if (!match?.[1]) {
    throw problems.validation([{ path: 'headers.If-Match', message: 'must be a version in quotes, such as "2", or *' }]);
  }
  return Number(match[1]);
}
