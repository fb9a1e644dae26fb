import { randomUUID } from 'node:crypto';
import type { Principal } from '#shared/model/access/identity';
import { problems } from '#shared/model/errors';
import { subjects } from '#shared/model/people/audit';
import { toInstant } from '#shared/model/returns/report-date';
import type { Registration } from '#shared/model/schemas/registrations';
import { auditPut } from '#shared/repositories/audit';
import { memberChangeRequest } from '#shared/repositories/location-members';
import { getLocation } from '#shared/repositories/locations';
import { getMembership, membersOfLocation } from '#shared/repositories/memberships';
import { decideRegistration, getRegistration, MAX_PENDING_PER_USER, putRegistration, registrationsOfLocation } from '#shared/repositories/registrations';
import { isTransactionCancelled } from '#shared/repositories/transactions';
import { getUser } from '#shared/repositories/users';

/**
 * A provider user asks to act for a location (DESIGN §10.1). It must be in the directory and active;
 * the request records the requester's email; one request per location may be pending, and five per user,
 * both held by conditional writes. An admin decides, or, once the location has a manager, that manager.
 */
export async function register(locationId: string, principal: Principal, now: Date): Promise<{ registration: Registration; created: boolean }> {
  if (principal.kind !== 'user' || principal.role !== 'provider') throw problems.forbidden('Only provider users ask to act for a location.');
  const location = await getLocation(locationId);
  if (!location) throw problems.notFound(`No location ${locationId} in the CQC directory: check the location ID on the CQC website.`);
  if (!location.active) throw problems.conflict(`Location ${locationId} is not active (deregistered or dormant) and cannot be registered.`);
  if (await getMembership(principal.userId, locationId)) throw problems.conflict(`You are already a member of location ${locationId}.`);
  const pending = (await registrationsOfLocation(locationId)).filter((registration) => registration.status === 'pending');
  const mine = pending.find((registration) => registration.userId === principal.userId);
  if (mine) return { registration: mine, created: false };
  const registration: Registration = {
    registrationId: randomUUID(),
    locationId,
    locationName: location.name,
    userId: principal.userId,
    email: (await getUser(principal.userId))?.email ?? null,
    status: 'pending',
    requestedAt: toInstant(now),
  };
  const refused = await putRegistration(registration, { actor: principal.userId, action: 'registration.request', subject: subjects.registration(registration.registrationId), before: null, after: registration }, now);
  if (refused === 'userAtLimit') throw problems.conflict(`You already have ${MAX_PENDING_PER_USER} requests waiting for a decision; wait for those first.`);
  if (refused === 'locationPending') throw problems.conflict(`Someone else has already asked to act for location ${locationId}; its manager or an admin will decide.`);
  return { registration, created: true };
}

/**
 * An admin, or a manager of the location, approves or rejects a pending registration, exactly once.
 * Approving makes the requester a member, and the location's manager if it has none yet.
 */
export async function decide(registrationId: string, status: 'approved' | 'rejected', decider: Principal, now: Date, note?: string): Promise<Registration> {
  const registration = await getRegistration(registrationId);
  if (!registration) throw problems.notFound(`No registration ${registrationId}.`);
  if (decider.kind === 'user' && decider.role === 'provider' && (await getMembership(decider.userId, registration.locationId))?.manager !== true) {
    throw problems.forbidden(`Only an admin or a manager of location ${registration.locationId} decides its registrations.`);
  }
  if (registration.status !== 'pending') throw problems.conflict(`Registration ${registrationId} was already ${registration.status}.`);
  const decision = { status, decidedAt: toInstant(now), decidedBy: decider.userId, ...(note ? { note } : {}) };
  const decided = { ...registration, ...decision };
  const audit = auditPut({ actor: decider.userId, action: `registration.${status === 'approved' ? 'approve' : 'reject'}`, subject: subjects.registration(registrationId), before: registration, after: decided }, now);
  let memberParts: Parameters<typeof decideRegistration>[2] = [audit];
  if (status === 'approved') {
    const firstManager = !(await membersOfLocation(registration.locationId)).some((member) => member.manager === true);
    const membership = { userId: registration.userId, locationId: registration.locationId, manager: firstManager, grantedAt: decision.decidedAt, grantedBy: decider.userId, registrationId };
    const change = memberChangeRequest({ kind: 'add', membership }, { actor: decider.userId, action: 'member.add', subject: subjects.location(registration.locationId), before: null, after: membership }, now);
    memberParts = [...(change.TransactItems ?? []), audit];
  }
  try {
    await decideRegistration(registration, decision, memberParts);
  } catch (error) {
    if (isTransactionCancelled(error)) throw problems.conflict(`Registration ${registrationId} was decided by someone else just now, or the requester is already a member.`);
    throw error;
  }
  return decided;
}
