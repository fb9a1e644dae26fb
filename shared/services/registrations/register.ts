import { randomUUID } from 'node:crypto';
import type { Principal } from '#shared/model/access/identity';
import { problems } from '#shared/model/errors';
import { getLocation } from '#shared/repositories/locations';
import { decideRegistration, getRegistration, hasMembers, putRegistration, registrationsOfLocation } from '#shared/repositories/registrations';
import { isTransactionCancelled } from '#shared/repositories/transactions';
import { toInstant } from '#shared/model/returns/report-date';
import type { Registration } from '#shared/model/schemas/registrations';

/**
 * A user asks to act for a location. It must be in the directory, active, and not already claimed: no
 * members yet and no other pending request. It stays pending until an admin decides.
 */
export async function register(locationId: string, principal: Principal, now: Date): Promise<{ registration: Registration; created: boolean }> {
  const location = await getLocation(locationId);
  if (!location) throw problems.notFound(`No location ${locationId} in the CQC directory: check the location ID on the CQC website.`);
  if (!location.active) throw problems.conflict(`Location ${locationId} is not active (deregistered or dormant) and cannot be registered.`);
  if (await hasMembers(locationId)) throw problems.conflict(`Location ${locationId} is already registered; ask its current users or an admin to add you.`);
  const pending = (await registrationsOfLocation(locationId)).filter((registration) => registration.status === 'pending');
  const mine = pending.find((registration) => registration.userId === principal.userId);
  if (mine) return { registration: mine, created: false };
  if (pending.length > 0) throw problems.conflict(`Someone else has already asked to register location ${locationId}; an admin will decide.`);
  const registration: Registration = {
    registrationId: randomUUID(),
    locationId,
    locationName: location.name,
    userId: principal.userId,
    status: 'pending',
    requestedAt: toInstant(now),
  };
  await putRegistration(registration);
  return { registration, created: true };
}

/** An admin approves (creating the membership) or rejects a pending registration, exactly once. */
export async function decide(registrationId: string, status: 'approved' | 'rejected', admin: Principal, now: Date, note?: string): Promise<Registration> {
  const registration = await getRegistration(registrationId);
  if (!registration) throw problems.notFound(`No registration ${registrationId}.`);
  if (registration.status !== 'pending') throw problems.conflict(`Registration ${registrationId} was already ${registration.status}.`);
  const decision = { status, decidedAt: toInstant(now), decidedBy: admin.userId, ...(note ? { note } : {}) };
  try {
    await decideRegistration(registration, decision);
  } catch (error) {
    if (isTransactionCancelled(error)) throw problems.conflict(`Registration ${registrationId} was decided by someone else just now.`);
    throw error;
  }
  return { ...registration, ...decision };
}
