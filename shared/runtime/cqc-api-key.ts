import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LOCAL_CQC_API_KEY_FILE } from '#shared/model/settings';
import { localOnly, setting } from '#shared/runtime/settings';

/**
 * The CQC Syndication API's subscription key (sent as `Ocp-Apim-Subscription-Key`), read once per
 * container. In AWS it is a Secrets Manager secret (CQC_API_KEY_SECRET_ARN) whose SecretString is the key;
 * the local stack names a file holding it instead (CQC_API_KEY_FILE, under .local/). Nothing is committed.
 */
const keys = new Map<string, Promise<string>>();

export function cqcApiKey(): Promise<string> {
  const file = localOnly(LOCAL_CQC_API_KEY_FILE);
  const source = file ? `file:${file}` : `secret:${setting('CQC_API_KEY_SECRET_ARN')}`;
  let key = keys.get(source);
  if (!key) {
    key = loadKey(file).catch((error: unknown) => {
      keys.delete(source); // a transient Secrets Manager failure must not poison the container
      throw error;
    });
    keys.set(source, key);
  }
  return key;
}

async function loadKey(file: string | undefined): Promise<string> {
  if (file) {
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new Error(`Cannot read the CQC API key from ${file} (${LOCAL_CQC_API_KEY_FILE}): ${(error as Error).message}`);
    });
    return checked(text, file);
  }
  const arn = setting('CQC_API_KEY_SECRET_ARN');
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return checked(SecretString ?? '', arn);
  } finally {
    client.destroy();
  }
}

function checked(text: string, where: string): string {
  const value = text.trim();
  if (value === '') throw new Error(`The CQC API key in ${where} is empty: put the subscription key from the CQC API portal there`);
  if (/\s/.test(value)) throw new Error(`The CQC API key in ${where} is not one key (it has spaces or lines in it)`);
  return value;
}

/** Forget the keys read: the next run reads the secret (or file) again, e.g. after the API refused a key. */
export function forgetCqcApiKeys(): void {
  keys.clear();
}
