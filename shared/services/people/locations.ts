/**
 * What a location's managers (and admins) run for it besides its members (DESIGN §10.1): where its
 * reminders go, its provider's nominated contact, and pausing it (closed for refurbishment, say); and the
 * report of active locations that no reminder reaches or no one can update.
 */
import { areasCover } from '#shared/model/access/access';
import type { Principal } from '#shared/model/access/identity';
import { problems } from '#shared/model/errors';
import { areaLevelOf, ENGLAND } from '#shared/model/schemas/common';
import { subjects } from '#shared/model/people/audit';
import { toInstant } from '#shared/model/returns/report-date';
import type { LocationContact, PauseRequest } from '#shared/model/schemas/people';
import { listAreas } from '#shared/repositories/areas';
import { getLocationContact, getProviderContact, pauseLocation, putLocationContact, putProviderContact, reminderAddresses, resumeLocation, type PauseItem } from '#shared/repositories/location-contacts';
import { directoryContactEmail, getLocation, listLocationsWithCounts } from '#shared/repositories/locations';

async function requireLocation(locationId: string) {
  const location = await getLocation(locationId);
  if (!location) throw problems.notFound(`No location ${locationId} in the directory.`);
  return location;
}

export async function readLocationContact(locationId: string): Promise<LocationContact> {
  await requireLocation(locationId);
  const contact = await getLocationContact(locationId);
  if (contact) return contact;
  // Before any was set: the address the directory had (the demo's), if any.
  const held = await directoryContactEmail(locationId);
  return { reminderEmails: held ? [held] : [] };
}

export async function setLocationContact(locationId: string, contact: LocationContact, by: string, now: Date): Promise<LocationContact> {
  await requireLocation(locationId);
  const before = (await getLocationContact(locationId)) ?? null;
  await putLocationContact(locationId, contact, { actor: by, action: 'location.contact', subject: subjects.location(locationId), before, after: contact }, now);
  return contact;
}

export async function readProviderContact(providerId: string): Promise<{ providerId: string; email: string | null }> {
  return { providerId, email: (await getProviderContact(providerId)) ?? null };
}

export async function setProviderContact(providerId: string, email: string, by: string, now: Date): Promise<{ providerId: string; email: string }> {
  const held = await getProviderContact(providerId);
  await putProviderContact(providerId, email, { actor: by, action: 'provider.contact', subject: subjects.provider(providerId), before: held ? { email: held } : null, after: { email } }, now);
  return { providerId, email };
}

export async function pause(locationId: string, request: PauseRequest, by: string, now: Date, today: string): Promise<PauseItem> {
  await requireLocation(locationId);
  if (request.until !== undefined && request.until <= today) throw problems.validation([{ path: 'until', message: 'must be a day after today' }]);
  const item: PauseItem = { reason: request.reason, since: toInstant(now), by, ...(request.until ? { until: request.until } : {}) };
  const outcome = await pauseLocation(locationId, item, { actor: by, action: 'location.pause', subject: subjects.location(locationId), before: null, after: item }, now);
  if (outcome === 'alreadyPaused') throw problems.conflict(`Location ${locationId} is already paused: resume it first to change the pause.`);
  if (outcome === 'notActive') throw problems.conflict(`Location ${locationId} is not active (deregistered or dormant): there is nothing to pause.`);
  return item;
}

export async function resume(locationId: string, by: string, now: Date): Promise<void> {
  const location = await requireLocation(locationId);
  if (!(await resumeLocation(locationId, { actor: by, action: 'location.resume', subject: subjects.location(locationId), before: location.pause ?? null, after: null }, now))) {
    throw problems.conflict(`Location ${locationId} is not paused.`);
  }
}

/**
 * Active, unpaused locations no reminder reaches (no address: neither set through the contact route nor
 * in the directory) or no one can update (no member), in an area (a council or region, or all England
 * for an admin), each with its council's name. A commissioner sees only their areas.
 */
export async function unreachable(area: string | undefined, caller: Principal) {
  if (caller.kind !== 'user') throw problems.forbidden('Not for an update link.');
  if (caller.role === 'commissioner') {
    if (!area) throw problems.validation([{ path: 'query.area', message: 'is required: one of your areas' }]);
    // A council inside one of their regions is theirs too: the locations read say which region it is in.
    const theirs = caller.areas.includes(area) || caller.areas.includes(ENGLAND) || areaLevelOf(area) === 'localAuthority';
    if (!theirs) throw problems.forbidden(`Area ${area} is outside your areas.`);
  }
  const found = [];
  let nextToken: string | undefined;
  do {
    const page = await listLocationsWithCounts({ ...(area ? { area } : {}), limit: 500, ...(nextToken ? { nextToken } : {}) });
    const candidates = page.items.filter(({ location }) => location.active && !location.pause);
    if (caller.role === 'commissioner' && candidates.some(({ location }) => !areasCover(caller.areas, location))) throw problems.forbidden(`Area ${area} is outside your areas.`);
    const addresses = await reminderAddresses(candidates.map(({ location }) => location.locationId));
    for (const { location, members, contactEmail } of candidates) {
      const noReminderAddress = !(addresses.get(location.locationId)?.length || contactEmail);
      const noMember = members === 0;
      if (noReminderAddress || noMember) found.push({ location, noReminderAddress, noMember });
    }
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  const councils = new Map((await listAreas('localAuthority')).map(({ code, name }) => [code, name]));
  return {
    items: found.map(({ location, noReminderAddress, noMember }) => ({
      locationId: location.locationId,
      name: location.name,
      providerId: location.providerId,
      localAuthority: location.localAuthority,
      localAuthorityName: councils.get(location.localAuthority) ?? null,
      noReminderAddress,
      noMember,
    })),
  };
}
