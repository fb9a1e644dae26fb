import { problems } from '#shared/model/errors';

type Key = Record<string, string | number>;

/** An opaque page token: the query's LastEvaluatedKey, base64url JSON. */
export function encodePageToken(lastEvaluatedKey: Record<string, unknown> | undefined): string | null {
  if (!lastEvaluatedKey) return null;
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

/**
 * Back to a start key, refusing anything this listing could not have given out (wrong attributes, wrong
 * types, garbage): a hostile token is a 400, never a DynamoDB validation error turned 500.
 */
export function invalidPageToken() {
  return problems.validation([{ path: 'query.nextToken', message: 'is not a token this listing gave out' }]);
}

export function decodePageToken(token: string | undefined, keyAttributes: readonly string[]): Key | undefined {
  if (token === undefined) return undefined;
  const invalid = invalidPageToken;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed);
  const expected = [...keyAttributes].sort();
  const actual = entries.map(([name]) => name).sort();
  if (expected.length !== actual.length || expected.some((name, i) => name !== actual[i])) throw invalid();
  if (!entries.every(([, value]) => typeof value === 'string' && value.length > 0 && value.length <= 256)) throw invalid();
  return parsed as Key;
}

/**
 * A start key's sort key must meet the query's key condition, or DynamoDB refuses the whole query
 * ("The provided starting key does not match the range key predicate": a 500). A token whose sort key
 * lies outside the range asked for (`from`..`to`, either end open) cannot have come from this listing,
 * so it is the caller's 400. Compared as DynamoDB compares strings: by their UTF-8 bytes.
 */
export function requireStartKeyWithin(startKey: Key | undefined, attribute: string, range: { from?: string | undefined; to?: string | undefined }): void {
  if (startKey === undefined) return;
  const value = Buffer.from(String(startKey[attribute]), 'utf8');
  const below = range.from !== undefined && Buffer.compare(value, Buffer.from(range.from, 'utf8')) < 0;
  const above = range.to !== undefined && Buffer.compare(value, Buffer.from(range.to, 'utf8')) > 0;
  if (below || above) throw invalidPageToken();
}
