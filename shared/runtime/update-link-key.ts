import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LOCAL_UPDATE_LINK_SECRET } from '#shared/model/settings';
import { localOnly, setting } from '#shared/runtime/settings';
import { DependencyUnavailable, isTransientAwsError } from '#shared/runtime/dependency-errors';

/**
 * The HMAC key that signs update links, read once per container. In AWS it is a Secrets Manager secret
 * (UPDATE_LINK_SECRET_ARN); the local stack passes a key it keeps under .local/ (UPDATE_LINK_SECRET,
 * base64url). Nothing is committed.
 *
 * Secrets Manager not answering, or failing on its side, is a `DependencyUnavailable` (the authorizer then
 * answers 503, not API Gateway's bare 500), and within a few seconds: the authorizer has 10 in all. The
 * SDK's default would wait for a hung connection until the function timed out.
 */
let key: Promise<Uint8Array> | undefined;

export function updateLinkKey(): Promise<Uint8Array> {
  key ??= loadKey().catch((error: unknown) => {
    key = undefined; // a transient Secrets Manager failure must not poison the container
    throw error;
  });
  return key;
}

async function loadKey(): Promise<Uint8Array> {
  const inline = localOnly(LOCAL_UPDATE_LINK_SECRET);
  if (inline) return decode(inline);
  const arn = setting('UPDATE_LINK_SECRET_ARN');
  const client = new SecretsManagerClient({
    // Only the tests set it: a Secrets Manager endpoint that refuses or hangs.
    ...(process.env.SECRETS_MANAGER_ENDPOINT ? { endpoint: process.env.SECRETS_MANAGER_ENDPOINT } : {}),
    maxAttempts: SECRETS_MANAGER_ATTEMPTS,
    requestHandler: SECRETS_MANAGER_TIMEOUTS,
  });
  let SecretString: string | undefined;
  try {
    ({ SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn })));
  } catch (error) {
    if (isTransientAwsError(error)) throw new DependencyUnavailable(`Secrets Manager did not give the update-link key (${(error as Error).name})`, { cause: error });
    throw error; // access denied, no such secret: configuration, and an alarm
  } finally {
    client.destroy();
  }
  if (!SecretString) throw new Error('The update-link secret is empty');
  return decode(SecretString);
}

/**
 * Two tries of at most a second to connect and two seconds in all each: about 4–5 s at worst. Without
 * `throwOnRequestTimeout` this SDK only warns when a request outlives `requestTimeout`, and waits on.
 */
export const SECRETS_MANAGER_ATTEMPTS = 2;
export const SECRETS_MANAGER_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true } as const;

function decode(secret: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret.trim());
  // HS256 wants at least 256 bits of key.
  if (bytes.byteLength < 32) throw new Error('The update-link key must be at least 32 bytes');
  return bytes;
}
