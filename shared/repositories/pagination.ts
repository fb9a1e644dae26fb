import { problems } from '../errors';

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
