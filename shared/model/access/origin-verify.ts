/**
 * Proof that a request came through CloudFront (and so through its web ACL and the bearer rule) rather
 * than straight to the API's `execute-api` address. The execute-api endpoint cannot be switched off
 * without a custom domain for the API (a certificate and DNS the service may not have), so instead
 * CloudFront adds a secret header to every request it sends the API, and the API checks it:
 *
 * - the authorizer's identity sources include the header, so API Gateway itself answers 401, with no
 *   Lambda run, to a request that lacks it;
 * - the authorizer refuses (API Gateway's bare 403) a request whose header is not the secret.
 *
 * The secret is a Secrets Manager value (Api stack), put at deploy time into CloudFront's origin header
 * and into the API stage's variables, where the authorizer reads it (`event.stageVariables`): no function
 * setting, and no value in the template. Locally the gateway plays CloudFront's part with a value of its own.
 */

/** The header CloudFront adds on its way to the API (any same-named header a viewer sends is replaced). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** The API stage's variable holding the value the header must have. */
export const ORIGIN_VERIFY_STAGE_VARIABLE = 'originVerify';

/** Equal strings, compared in time that does not depend on where they first differ. */
function sameSecret(given: string, expected: string): boolean {
  let difference = given.length ^ expected.length;
  for (let index = 0; index < expected.length; index++) difference |= (given.charCodeAt(index) || 0) ^ expected.charCodeAt(index);
  return difference === 0;
}

/**
 * Did the request come the way the stage says requests must come? A stage without the variable asks for
 * nothing (a stack that has no CloudFront in front, such as a benchmark's); the deployed stage always has
 * it (test/infra/edge-protection.test.ts).
 */
export function cameThroughTheEdge(headers: Record<string, string | undefined> | undefined, stageVariables: Record<string, string | undefined> | undefined | null): boolean {
  const expected = stageVariables?.[ORIGIN_VERIFY_STAGE_VARIABLE];
  if (expected === undefined || expected === '') return true;
  const given = headers?.[ORIGIN_VERIFY_HEADER];
  return given !== undefined && sameSecret(given, expected);
}
