import * as OTPAuth from 'otpauth';
import type { IncomingRequest, OutgoingResponse } from './api-event';

/** Where the local pages send what they would send to `https://cognito-idp.<region>.amazonaws.com/`. */
export const LOCAL_ACCOUNT_API_PATH = '/local/cognito-idp/';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/**
 * A stand-in for the three calls of Cognito's user API that the authenticator-app page makes
 * (web/mfa.js), spoken as Cognito speaks them: AWS JSON 1.1, the operation in `X-Amz-Target`, the
 * user's access token in the body, and errors as 400 `{ "__type", "message" }`. `subjectOf` says whose a
 * token is (locally, a local token stands in for the access token: the local issuer signs no other kind). Codes are checked as Cognito checks them:
 * RFC 6238, SHA-1, 6 digits, 30 s, one step either side. What users set up lives as long as the process:
 * a restart forgets it, and local tokens then carry the MFA claim by default again.
 */
export interface LocalAccountApi {
  handle(request: IncomingRequest): Promise<OutgoingResponse>;
  /** Whether the user has verified an authenticator app and chosen it (what the pre token trigger reads). */
  signsInWithAuthenticatorApp(sub: string): boolean;
}

interface Account {
  /** The secret of the latest AssociateSoftwareToken: the one a code is checked against. */
  secret?: string;
  verified: boolean;
  preferred: boolean;
}

class AccountError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const reply = (status: number, body: unknown): OutgoingResponse => ({ statusCode: status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Buffer.from(JSON.stringify(body)) });

export function localAccountApi(subjectOf: (accessToken: string) => Promise<string | undefined>): LocalAccountApi {
  const accounts = new Map<string, Account>();
  const accountOf = (sub: string) => {
    let account = accounts.get(sub);
    if (!account) accounts.set(sub, (account = { verified: false, preferred: false }));
    return account;
  };
  const caller = async (body: Record<string, unknown>): Promise<Account> => {
    if (typeof body.AccessToken !== 'string') throw new AccountError('InvalidParameterException', '1 validation error detected: Value null at \'accessToken\' failed to satisfy constraint: Member must not be null');
    const sub = await subjectOf(body.AccessToken);
    if (!sub) throw new AccountError('NotAuthorizedException', 'Invalid Access Token');
    return accountOf(sub);
  };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    AssociateSoftwareToken: async (body) => {
      const account = await caller(body);
      // A new secret each time; an app verified before stays in use until a new one is verified.
      account.secret = new OTPAuth.Secret({ size: 20 }).base32;
      return { SecretCode: account.secret };
    },
    VerifySoftwareToken: async (body) => {
      const account = await caller(body);
      if (typeof body.UserCode !== 'string' || !/^\d{6}$/.test(body.UserCode)) {
        throw new AccountError('InvalidParameterException', "1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and length 6");
      }
      if (!account.secret) throw new AccountError('InvalidParameterException', 'User has not set up software token mfa');
      const valid = OTPAuth.TOTP.validate({ token: body.UserCode, secret: OTPAuth.Secret.fromBase32(account.secret), algorithm: 'SHA1', digits: 6, period: 30, window: 1 });
      if (valid === null) throw new AccountError('EnableSoftwareTokenMFAException', 'Code mismatch');
      account.verified = true;
      return { Status: 'SUCCESS' };
    },
    SetUserMFAPreference: async (body) => {
      const account = await caller(body);
      const settings = body.SoftwareTokenMfaSettings as { Enabled?: unknown; PreferredMfa?: unknown } | undefined;
      if (settings?.Enabled === true && !account.verified) throw new AccountError('InvalidParameterException', 'User has not verified software token mfa');
      if (settings) account.preferred = settings.Enabled === true && settings.PreferredMfa !== false;
      return {};
    },
  };

  return {
    handle: async (request) => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
      if (!operation) return reply(400, { __type: 'UnknownOperationException', message: `The local stand-in answers only ${Object.keys(operations).join(', ')}` });
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(request.body.toString('utf8') || '{}');
        body = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
      } catch {
        return reply(400, { __type: 'SerializationException', message: 'The body is not JSON' });
      }
      try {
        return reply(200, await operation(body));
      } catch (error) {
        if (error instanceof AccountError) return reply(400, { __type: error.type, message: error.message });
        throw error;
      }
    },
    signsInWithAuthenticatorApp: (sub) => {
      const account = accounts.get(sub);
      return Boolean(account?.verified && account.preferred);
    },
  };
}
