import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { MFA_CLAIM, MFA_REQUIRED_ROLES, mfaClaims } from '#shared/model/access/identity';
import { logger, tracer } from '#shared/runtime/powertools';

/**
 * The user pool's pre token generation trigger (V1_0: the ID token). Cognito's ID tokens do not say
 * whether the user gave an MFA code, so this adds `MFA_CLAIM` when the user has an authenticator app
 * (TOTP) enabled and preferred: with the pool's MFA optional, Cognito then asks for its code at every
 * sign-in (no device is remembered: the pool tracks none). The authorizer refuses the roles of
 * `MFA_REQUIRED_ROLES` a token without it. A refresh gets the claim as the user's settings stand then.
 *
 * Every user's settings are read (AdminGetUser, the one action the function may take), so that a user
 * with an authenticator app who is made an admin can act as one from their next request, as any role
 * change holds. When that read fails, a user in one of those roles' groups is not signed in (Cognito
 * says so; they try again); anyone else is, without the claim, which their role does not need.
 */
const endpoint = process.env.COGNITO_ENDPOINT; // only the tests set it: a stand-in for Cognito's API
let client: CognitoIdentityProviderClient | undefined;
function cognito(): CognitoIdentityProviderClient {
  client ??= tracer.captureAWSv3Client(
    new CognitoIdentityProviderClient({ ...(endpoint ? { endpoint } : {}), maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true } }),
  );
  return client;
}

/** Cognito gives a trigger 5 s in all; the read gets 3 of them, retries included. */
export const MFA_SETTINGS_DEADLINE_MS = 3_000;

const TOTP = 'SOFTWARE_TOKEN_MFA';

/** Whether the user has an authenticator app set up and chosen, so Cognito asks for its code at sign-in. */
export async function signsInWithAuthenticatorApp(userPoolId: string, userName: string): Promise<boolean> {
  const user = await cognito().send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userName }), {
    abortSignal: AbortSignal.timeout(MFA_SETTINGS_DEADLINE_MS),
  });
  return (user.UserMFASettingList ?? []).includes(TOTP) && user.PreferredMfaSetting === TOTP;
}

export async function addMfaClaim(event: PreTokenGenerationTriggerEvent): Promise<PreTokenGenerationTriggerEvent> {
  const groups = event.request.groupConfiguration?.groupsToOverride ?? [];
  const needsMfa = (MFA_REQUIRED_ROLES as readonly string[]).some((role) => groups.includes(role));
  // Cognito sends `claimsOverrideDetails: null`; anything already there is kept, but the claim is this trigger's alone.
  const details = event.response?.claimsOverrideDetails ?? {};
  const claims = { ...details.claimsToAddOrOverride };
  delete claims[MFA_CLAIM];
  let mfa = false;
  try {
    mfa = event.userName ? await signsInWithAuthenticatorApp(event.userPoolId, event.userName) : false;
  } catch (error) {
    if (needsMfa) throw error;
    logger.warn('could not read the MFA settings of a user whose role does not need them: signed in without the claim', { errorName: (error as Error).name });
  }
  event.response = { claimsOverrideDetails: { ...details, claimsToAddOrOverride: { ...claims, ...mfaClaims(mfa) } } };
  return event;
}
