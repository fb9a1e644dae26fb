/**
 * A location's members (DESIGN §10.1): its managers (and admins) add provider users, make them managers
 * or not, and remove them; the last manager stays. Every change is one transaction with the location's
 * counts and its audit entry, and holds from the member's next request (memberships are read per request).
 */
import { problems } from '#shared/model/errors';
import { subjects } from '#shared/model/people/audit';
import { getLocation } from '#shared/repositories/locations';
import { applyMemberChange, type MemberChange, type MemberChangeFailure } from '#shared/repositories/location-members';
import { getMembership, membersOfLocation, type Membership } from '#shared/repositories/memberships';
import { getUser, getUsers } from '#shared/repositories/users';

export interface MemberView {
  userId: string;
  email: string | null;
  manager: boolean;
  grantedAt: string;
  grantedBy: string;
}

async function requireLocation(locationId: string) {
  const location = await getLocation(locationId);
  if (!location) throw problems.notFound(`No location ${locationId} in the directory.`);
  return location;
}

export async function listMembers(locationId: string): Promise<{ items: MemberView[] }> {
  await requireLocation(locationId);
  const members = await membersOfLocation(locationId);
  const emails = new Map((await getUsers(members.map(({ userId }) => userId))).map((user) => [user.userId, user.email]));
  const items = members
    .map((member) => ({ userId: member.userId, email: emails.get(member.userId) ?? null, manager: member.manager === true, grantedAt: member.grantedAt, grantedBy: member.grantedBy }))
    .sort((a, b) => Number(b.manager) - Number(a.manager) || (a.email ?? a.userId).localeCompare(b.email ?? b.userId));
  return { items };
}

function failed(failure: MemberChangeFailure, locationId: string, userId: string): never {
  if (failure === 'lastManager') throw problems.conflict(`${userId} is the last manager of location ${locationId}: make someone else a manager first.`);
  if (failure === 'noLocation') throw problems.notFound(`No location ${locationId} in the directory.`);
  throw problems.conflict(`The members of location ${locationId} changed meanwhile: read them again and send the change again.`);
}

const view = (membership: Membership, email: string | null): MemberView => ({
  userId: membership.userId,
  email,
  manager: membership.manager === true,
  grantedAt: membership.grantedAt,
  grantedBy: membership.grantedBy,
});

/** Add a provider user to the location (201), or make them a manager or not (200). */
export async function putMember(locationId: string, userId: string, manager: boolean, by: string, now: Date): Promise<{ created: boolean; member: MemberView }> {
  await requireLocation(locationId);
  const user = await getUser(userId);
  if (!user) throw problems.notFound(`No user ${userId}: invite them first (POST /v1/users).`);
  if (user.role !== 'provider') throw problems.conflict(`${user.email} is a ${user.role} user: only provider users are members of locations.`);
  const before = await getMembership(userId, locationId);
  if (before && (before.manager === true) === manager) return { created: false, member: view(before, user.email) };
  const after: Membership = before ? { ...before, manager } : { userId, locationId, manager, grantedAt: now.toISOString(), grantedBy: by };
  const change: MemberChange = before ? { kind: 'setManager', before, manager } : { kind: 'add', membership: { ...after, manager } };
  const failure = await applyMemberChange(change, { actor: by, action: before ? 'member.change' : 'member.add', subject: subjects.location(locationId), before: before ?? null, after }, now);
  if (failure) failed(failure, locationId, userId);
  return { created: !before, member: view(after, user.email) };
}

export async function removeMember(locationId: string, userId: string, by: string, now: Date): Promise<void> {
  await requireLocation(locationId);
  const before = await getMembership(userId, locationId);
  if (!before) throw problems.notFound(`${userId} is not a member of location ${locationId}.`);
  const failure = await applyMemberChange({ kind: 'remove', before }, { actor: by, action: 'member.remove', subject: subjects.location(locationId), before, after: null }, now);
  if (failure) failed(failure, locationId, userId);
}
