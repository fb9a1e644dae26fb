/**
 * The `Idempotency-Key` request header (IETF httpapi draft "The Idempotency-Key HTTP Header Field"), as
 * pure functions: reading and validating the header, and what Powertools idempotency is given to key
 * and fingerprint a request. The DynamoDB side is `shared/http/idempotency.ts`.
 *
 * - The record is keyed by the **scope**: who is calling (the principal the authorizer found) and the key.
 *   One caller's key can never reach another caller's record, so it never replays their response.
 * - The record remembers the request's **fingerprint**: method, path, query, If-Match and body. The same
 *   key with any other fingerprint — a different body, or the key reused on another route — is refused
 *   with 422, never processed and never answered with the first request's response.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '#shared/model/access/identity';
import { problems } from '#shared/model/errors';
import { MAX_BODY_BYTES } from '#shared/http/request';

/** As API Gateway hands headers over: lower case. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** How long a keyed write is remembered: a retry within it is replayed, after it the key is new again. */
export const IDEMPOTENCY_EXPIRY_SECONDS = 24 * 60 * 60;
/** Every keyed route shares one namespace of records, so a key reused on another route is seen (422). */
export const IDEMPOTENCY_KEY_PREFIX = 'http';

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** RFC 9651 sf-string: `"..."` with `\"` and `\\` the only escapes; the draft sends the key this way. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;

/**
 * The key of a request: absent → undefined. Both the draft's form (`Idempotency-Key: "8e03978e-..."`, an
 * sf-string) and the bare form many clients send (`Idempotency-Key: 8e03978e-...`) name the same key.
 * Anything but 1–255 printable ASCII characters is a 400 at `headers.idempotency-key`.
 */
export function idempotencyKeyFrom(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const header = headers[IDEMPOTENCY_KEY_HEADER];
  if (header === undefined) return undefined;
  const value = header.trim();
  const quoted = SF_STRING.exec(value);
  const key = quoted?.[1] !== undefined ? quoted[1].replace(/\\(["\\])/g, '$1') : value;
  if (key.length < 1 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !PRINTABLE_ASCII.test(key)) {
    throw problems.validation([
      {
        path: `headers.${IDEMPOTENCY_KEY_HEADER}`,
        message: `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, such as a UUID`,
      },
    ]);
  }
  return key;
}

/** Who a key belongs to: the kind of principal and its id (an update link's id names its token). */
export function callerOf(principal: Principal): string {
  return `${principal.kind}:${principal.userId}`;
}

/** What Powertools is given for a keyed request: `scope` keys the record, `request` is its fingerprint. */
export interface IdempotencyPayload {
  scope: { caller: string; key: string };
  request: { method: string; path: string; query: string; ifMatch: string | null; body: BodyFingerprint };
}

/**
 * The body as compared between a request and its retry: JSON by its value, in a canonical text (keys
 * sorted, no spacing), so key order and whitespace do not make it another request; anything else byte
 * for byte. Canonical text rather than the parsed value, so nothing depends on how a library sorts keys.
 */
export type BodyFingerprint = null | { json: string } | { base64: string };

export function bodyFingerprint(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): BodyFingerprint {
  const raw = event.body ?? '';
  if (raw === '') return null;
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength <= MAX_BODY_BYTES) {
    try {
      return { json: canonicalJson(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))) };
    } catch {
      // Not JSON: compared as bytes (the route will refuse it, and nothing will be stored).
    }
  }
  return { base64: bytes.toString('base64') };
}

/** JSON text with every object's keys in code-unit order and no whitespace: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const entries = Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The idempotency payload of a request to a keyed route, or undefined when it carries no key (then the
 * request is served exactly as without idempotency). Throws a 400 for a malformed key.
 */
export function idempotencyPayload(event: APIGatewayProxyEventV2, principal: Principal): IdempotencyPayload | undefined {
  const key = idempotencyKeyFrom(event.headers ?? {});
  if (key === undefined) return undefined;
  return {
    scope: { caller: callerOf(principal), key },
    request: {
      method: event.requestContext.http.method.toUpperCase(),
      path: event.rawPath,
      query: event.rawQueryString ?? '',
      ifMatch: event.headers?.['if-match']?.trim() ?? null,
      body: bodyFingerprint(event),
    },
  };
}
