/**
 * The settings a function can be given besides its table names, each defined once with the check its
 * value must pass. A function declares the ones it reads (`shared/model/functions.ts`); the CDK app sets
 * exactly those, the local stack hands each function exactly those, and `#shared/runtime/settings` reads
 * them at first use, failing with a message that names the setting and the function.
 */
import * as z from 'zod';

export const settingDefinitions = {
  WEB_BASE_URL: { schema: z.url(), about: 'where the web pages are served: update links in emails open them' },
  REMINDER_FROM_ADDRESS: { schema: z.email(), about: 'the sender of reminder emails, an address of a verified SES identity' },
  UPDATE_LINK_SECRET_ARN: {
    schema: z.string().min(1),
    about: 'the Secrets Manager secret holding the HMAC key of update links (locally the key itself, as UPDATE_LINK_SECRET)',
  },
  JWT_ISSUER: { schema: z.string().min(1), about: 'the issuer of users\' ID tokens (the Cognito user pool)' },
  JWT_AUDIENCE: { schema: z.string().min(1), about: 'the audience of users\' ID tokens (the web app client)' },
  JWKS_URL: { schema: z.url(), about: 'where the issuer publishes its signing keys' },
  CQC_API_BASE_URL: {
    schema: z.url(),
    about: 'the CQC Syndication API up to /public/v1 (locally, the fake CQC API on a loopback port)',
  },
  CQC_API_KEY_SECRET_ARN: {
    schema: z.string().min(1),
    about: 'the Secrets Manager secret holding the CQC API subscription key (locally a file holding the key, as CQC_API_KEY_FILE)',
  },
  USER_POOL_ID: {
    schema: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must be a Cognito user pool id such as eu-west-2_AbC123'),
    about: 'the Cognito user pool whose users the users routes invite, change and disable (locally: no pool, the users table alone)',
  },
  EXPORTS_BUCKET: { schema: z.string().min(3).max(63), about: 'the S3 bucket export files are written to and presigned from (locally, a bucket of the S3-compatible server)' },
  EXPORT_WORKER_FUNCTION: { schema: z.string().min(1), about: 'the export worker the exports route invokes asynchronously (its name or ARN)' },
} as const satisfies Record<string, { schema: z.ZodType<string>; about: string }>;

export type SettingName = keyof typeof settingDefinitions;
export const SETTING_NAMES = Object.keys(settingDefinitions) as SettingName[];

/** The local stack gives the update-link key inline instead of a secret's ARN (there is no Secrets Manager). */
export const LOCAL_UPDATE_LINK_SECRET = 'UPDATE_LINK_SECRET';

/** Nor for the CQC API's subscription key: the local stack names a file that holds it instead of a secret's ARN. */
export const LOCAL_CQC_API_KEY_FILE = 'CQC_API_KEY_FILE';

/** Nor is there a user pool: the local stack says so with this instead of USER_POOL_ID, and users live in the users table alone. */
export const LOCAL_USER_DIRECTORY = 'LOCAL_USER_DIRECTORY';

/** The CQC Syndication API itself: the deployed sync's default (`-c cqcApiBaseUrl=...`) and `npm run sync:cqc -- --stage`'s. */
export const CQC_API_PRODUCTION_URL = 'https://api.service.cqc.org.uk/public/v1';

/** The data stack's output naming the secret of the CQC API key: where `npm run sync:cqc -- --stage` finds it. */
export const CQC_API_KEY_SECRET_OUTPUT = 'CqcApiKeySecretArn';
