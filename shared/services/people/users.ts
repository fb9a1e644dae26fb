/**
 * Users (DESIGN §10.1): an admin lists, invites and changes them. The users table is the service's record
 * of who may do what (the authorizer reads it on every request, so a disabled user is refused and a new
 * role holds from the next request); Cognito, in AWS, is where they sign in, kept in line here.
 */
import { problems } from '#shared/model/errors';
import { subjects } from '#shared/model/people/audit';
import type { Role } from '#shared/model/schemas/common';
import type { User, UserChange, UserInvite } from '#shared/model/schemas/people';
import { membersOfLocation } from '#shared/repositories/memberships';
import { invalidPageToken } from '#shared/repositories/pagination';
import { ChangedMeanwhile, createUser, EmailTaken, emailTaken, getUser, getUsers, listUsers, saveUserChange, type UserItem } from '#shared/repositories/users';
import { AccountExists, createAccount, updateAccount } from '#shared/runtime/user-pool';

const withoutRevision = ({ revision: _revision, ...user }: UserItem): User => user;

export async function listUsersFor(query: { role?: Role; locationId?: string; limit: number; nextToken?: string }): Promise<{ items: User[]; nextToken: string | null }> {
  if (query.locationId) {
    // A location's members are few: all of them, in one page, so no token was ever given out for it.
    if (query.nextToken !== undefined) throw invalidPageToken();
    const members = await membersOfLocation(query.locationId);
    const users = await getUsers(members.map(({ userId }) => userId));
    return { items: users.filter((user) => !query.role || user.role === query.role).map(withoutRevision).sort((a, b) => a.email.localeCompare(b.email)), nextToken: null };
  }
  const page = await listUsers(query);
  return { items: page.items.map(withoutRevision), nextToken: page.nextToken };
}

const taken = (email: string) => problems.conflict(`${email} is already a user.`);

export async function inviteUser(invite: UserInvite, by: string, now: Date): Promise<User> {
  if (await emailTaken(invite.email)) throw taken(invite.email);
  const areas = invite.areas ?? [];
  let userId: string;
  try {
    userId = await createAccount(invite.email, invite.role, areas);
  } catch (error) {
    if (error instanceof AccountExists) throw taken(invite.email);
    throw error;
  }
  const user: User = { userId, email: invite.email, role: invite.role, areas, status: 'active', createdAt: now.toISOString(), createdBy: by };
  try {
    await createUser(user, { actor: by, action: 'user.invite', subject: subjects.user(userId), before: null, after: user }, now);
  } catch (error) {
    if (error instanceof EmailTaken) throw taken(invite.email);
    throw error;
  }
  return user;
}

export async function changeUser(userId: string, change: UserChange, by: string, now: Date): Promise<User> {
  const before = await getUser(userId);
  if (!before) throw problems.notFound(`No user ${userId}.`);
  const role = change.role ?? before.role;
  // Areas belong to commissioners: a new role other than commissioner drops them; a commissioner needs some.
  const areas = change.areas ?? (role === 'commissioner' ? before.areas : []);
  if (role === 'commissioner' && areas.length === 0) throw problems.validation([{ path: 'areas', message: 'a commissioner needs at least one area' }]);
  if (role !== 'commissioner' && areas.length > 0) throw problems.validation([{ path: 'areas', message: `only a commissioner has areas, not a ${role}` }]);
  if (userId === by && (change.disabled === true || (change.role !== undefined && change.role !== 'admin'))) {
    throw problems.conflict('You cannot disable yourself or take away your own admin role: ask another admin.');
  }
  const status = change.disabled === undefined ? before.status : change.disabled ? 'disabled' : 'active';
  const after: User = { ...withoutRevision(before), role, areas, status };
  await updateAccount(before.email, { role: before.role, areas: before.areas, disabled: before.status === 'disabled' }, { role, areas, disabled: status === 'disabled' });
  try {
    const saved = await saveUserChange(before, after, { actor: by, action: 'user.change', subject: subjects.user(userId), before: withoutRevision(before), after }, now);
    return withoutRevision(saved);
  } catch (error) {
    if (error instanceof ChangedMeanwhile) throw problems.conflict(`User ${userId} was changed meanwhile; read it again and send the change again.`);
    throw error;
  }
}
