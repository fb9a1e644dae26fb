import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Role } from '#shared/model/schemas/common';
import { LOCAL_USER_DIRECTORY } from '#shared/model/settings';
import { localOnly, setting } from '#shared/runtime/settings';

/**
 * Where users sign in: Cognito in AWS (the user pool of USER_POOL_ID: an account per email address, a
 * group per role, `custom:areas`), and nothing locally, where the local issuer signs for the users in the
 * users table. The users table is written by the service either way; this is only the identity side.
 */
const client = new CognitoIdentityProviderClient({});
const local = () => localOnly(LOCAL_USER_DIRECTORY) !== undefined;

export class AccountExists extends Error {}

/** Make the account and send its invitation (Cognito emails a temporary password); its user id (`sub`). */
export async function createAccount(email: string, role: Role, areas: readonly string[]): Promise<string> {
  if (local()) return randomUUID();
  const pool = setting('USER_POOL_ID');
  try {
    const created = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: pool,
        Username: email,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'custom:areas', Value: areas.join(',') },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: email, GroupName: role }));
    const sub = created.User?.Attributes?.find(({ Name }) => Name === 'sub')?.Value;
    if (!sub) throw new Error(`Cognito made ${email} without a sub`);
    return sub;
  } catch (error) {
    if (error instanceof UsernameExistsException) throw new AccountExists(email);
    throw error;
  }
}

/** Bring the account in line with a change: its role's group, its areas, enabled or not (signed out everywhere when disabled). */
export async function updateAccount(email: string, before: { role: Role; areas: readonly string[]; disabled: boolean }, after: { role: Role; areas: readonly string[]; disabled: boolean }): Promise<void> {
  if (local()) return;
  const pool = setting('USER_POOL_ID');
  if (before.role !== after.role) {
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: email, GroupName: after.role }));
    await client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: pool, Username: email, GroupName: before.role }));
  }
  if (before.areas.join(',') !== after.areas.join(',')) {
    await client.send(new AdminUpdateUserAttributesCommand({ UserPoolId: pool, Username: email, UserAttributes: [{ Name: 'custom:areas', Value: after.areas.join(',') }] }));
  }
  if (!before.disabled && after.disabled) {
    // Its refresh tokens stop working; its ID token is refused by the authorizer, from the users table.
    await client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: pool, Username: email }));
    await client.send(new AdminDisableUserCommand({ UserPoolId: pool, Username: email }));
  }
  if (before.disabled && !after.disabled) await client.send(new AdminEnableUserCommand({ UserPoolId: pool, Username: email }));
}
