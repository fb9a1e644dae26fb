import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LOCAL_UPDATE_LINK_SECRET } from '#shared/model/settings';
import { localOnly, setting } from '#shared/runtime/settings';

/**
 * The HMAC key that signs update links, read once per container. In AWS it is a Secrets Manager secret
 * (UPDATE_LINK_SECRET_ARN); the local stack passes a key it keeps under .local/ (UPDATE_LINK_SECRET,
 * base64url). Nothing is committed.
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
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('The update-link secret is empty');
    return decode(SecretString);
  } finally {
    client.destroy();
  }
}

function decode(secret: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret.trim());
  // HS256 wants at least 256 bits of key.
  if (bytes.byteLength < 32) throw new Error('The update-link key must be at least 32 bytes');
  return bytes;
}
