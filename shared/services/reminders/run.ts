import { redactEmailAddresses } from '#shared/model/email-addresses';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { UPDATE_LINK_HOURS } from '#shared/model/update-links';
import { keys } from '#shared/model/keys';
import {
  claimSend,
  commissionerContacts,
  contactsOf,
  markSent,
  releaseClaim,
  staleLocations,
  type SendKey,
  type StaleLocation,
} from '#shared/repositories/reminders';
import { londonDay, toInstant } from '#shared/model/returns/report-date';
import { areaLevelOf } from '#shared/model/schemas/common';
import type { OutgoingEmail } from '#shared/runtime/ses';
import { isQuietHours, staleBefore, tierFor, timeSince, type Tier } from '#shared/model/reminders/rules';
import { commissionerDigestEmail, locationEmail, providerDigestEmail, unreachableDigestEmail, type StaleLocationView } from '#shared/model/reminders/templates';
import { pausesEndingBy, reminderAddresses, resumeLocation } from '#shared/repositories/location-contacts';

/**
 * An email the run sent, as its report says: never to whom (the report is a function's result, which
 * logs and traces could keep), only how many addresses it went to. Who was sent what is in the
 * reminderSends table (`markSent`), kept for audit.
 */
export interface SentEmail {
  kind: Tier | 'providerDigest' | 'commissionerDigest' | 'unreachableDigest';
  subject: string;
  recipients: number;
  messageId: string;
  locationIds: string[];
}

export interface ReminderRunReport {
  at: string;
  quietHours: boolean;
  staleLocations: number;
  /** Index entries read to find them: the run's cost, which grows with the stale count alone. */
  itemsRead: number;
  sent: SentEmail[];
  /** Already sent for this spell (or this day, for digests) by an earlier or overlapping run. */
  alreadySent: number;
  /** SES's refusals, each with SES's message, its email addresses taken out (`redactEmailAddresses`). */
  failed: Array<{ kind: SentEmail['kind']; subject: string; error: string }>;
  /** Stale locations no reminder reaches (no address): never skipped silently, their providers are told. */
  unreachable: string[];
  /** Paused locations whose pause ended, resumed by this run. */
  resumed: string[];
}

export interface ReminderDependencies {
  sendEmail: (email: OutgoingEmail) => Promise<string>;
  /** Where the web form lives; update links point there. */
  webBaseUrl: string;
}

/**
 * Emails in flight at once: enough to get through a bad morning (thousands stale) in minutes, within
 * SES's sending rate for a production account (tens a second); SES throttling is retried by the SDK.
 */
export const SEND_CONCURRENCY = 8;

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** An error response from SES itself (it answered, and refused), as opposed to no answer at all. */
function isRefusedBySes(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400;
}

const view = (location: StaleLocation, now: Date): StaleLocationView => ({ name: location.name, locationId: location.locationId, since: timeSince(location.freshness, now) });

/**
 * One run of the reminder job as if the clock read `now`: find the stale locations (one query), and for
 * each send what its stale spell has not had yet: a reminder past 24 hours, an escalation past 48 to the
 * location and, in one digest per provider, to its nominated contact; once a day a digest to each
 * commissioner of their area's locations stale past 48 hours. Each email is claimed before it is sent,
 * so overlapping runs, reruns and crashes never send one twice.
 */
export async function runReminders(now: Date, deps: ReminderDependencies): Promise<ReminderRunReport> {
  const report: ReminderRunReport = { at: now.toISOString(), quietHours: isQuietHours(now), staleLocations: 0, itemsRead: 0, sent: [], alreadySent: 0, failed: [], unreachable: [], resumed: [] };
  // Pauses that end today end now, quiet hours or not: the location is expected again, and reminded when stale.
  for (const locationId of await pausesEndingBy(londonDay(now))) {
    if (await resumeLocation(locationId, undefined, now)) report.resumed.push(locationId);
  }
  if (report.quietHours) return report;

  const { locations, itemsRead } = await staleLocations(staleBefore(now));
  report.staleLocations = locations.length;
  report.itemsRead = itemsRead;
  // Where each goes: the addresses set for it, else the one the directory holds.
  const addresses = await reminderAddresses(locations.map(({ locationId }) => locationId));
  const recipients = (location: StaleLocation) => addresses.get(location.locationId) ?? (location.contactEmail ? [location.contactEmail] : []);

  /** Claim, send, record; SES failing gives the claim back so the next run tries again. */
  const deliver = async (kind: SentEmail['kind'], key: SendKey, email: OutgoingEmail, locationIds: string[], details: Record<string, unknown>) => {
    if (!(await claimSend(key, { kind, locationIds, ...details }, now))) {
      report.alreadySent += 1;
      return false;
    }
    let messageId: string;
    try {
      messageId = await deps.sendEmail(email);
    } catch (error) {
      // Only SES's own refusal proves nothing went; anything else (a timeout, a crash) may have sent
      // it, so the claim stays and the email is not tried again.
      if (!isRefusedBySes(error)) throw error;
      await releaseClaim(key);
      report.failed.push({ kind, subject: email.subject, error: redactEmailAddresses((error as Error).message) });
      return false;
    }
    await markSent(key, { messageId, to: email.to, sentAt: toInstant(new Date()) });
    report.sent.push({ kind, subject: email.subject, recipients: email.to.length, messageId, locationIds });
    return true;
  };

  const escalatedByProvider = new Map<string, StaleLocation[]>();
  const unreachableByProvider = new Map<string, StaleLocation[]>();
  const base = deps.webBaseUrl.replace(/\/$/, '');
  await forEachConcurrently(locations, SEND_CONCURRENCY, async (location) => {
    const tier = tierFor(location.freshness, now);
    if (!tier) return;
    const to = recipients(location);
    if (to.length === 0) {
      report.unreachable.push(location.locationId);
      unreachableByProvider.set(location.providerId, [...(unreachableByProvider.get(location.providerId) ?? []), location]);
      return;
    }
    const link = await issueUpdateLink(location.locationId, now);
    const links = {
      update: `${base}/?location=${location.locationId}#token=${link.token}`,
      confirm: `${base}/confirm.html?location=${location.locationId}#token=${link.token}`,
    };
    const email = { to, ...locationEmail(tier, view(location, now), links, UPDATE_LINK_HOURS) };
    const sent = await deliver(tier, keys.locationSend(location.locationId, location.freshness, tier), email, [location.locationId], { spell: location.freshness, linkId: link.tokenId });
    if (sent && tier === 'escalation') escalatedByProvider.set(location.providerId, [...(escalatedByProvider.get(location.providerId) ?? []), location]);
  });

  // Providers hear once per run about the homes newly escalated in it: a multi-site group gets one email.
  for (const [providerId, escalated] of escalatedByProvider) {
    const contacts = await contactsOf(keys.providerContacts(providerId));
    if (contacts.length === 0) continue;
    const email = { to: contacts.map((contact) => contact.email), ...providerDigestEmail(escalated.map((location) => view(location, now))) };
    await deliver('providerDigest', keys.providerDigest(providerId, report.at), email, escalated.map((location) => location.locationId), { providerId });
  }

  // Providers hear once a day about their stale locations that no reminder reaches.
  for (const [providerId, unreachable] of unreachableByProvider) {
    const contacts = await contactsOf(keys.providerContacts(providerId));
    if (contacts.length === 0) continue;
    const email = { to: contacts.map((contact) => contact.email), ...unreachableDigestEmail(unreachable.map((location) => view(location, now))) };
    await deliver('unreachableDigest', keys.unreachableDigest(providerId, londonDay(now)), email, unreachable.map((location) => location.locationId), { providerId });
  }

  // Commissioners: once a day, every location in their area stale past 48 hours.
  const overdue = locations.filter((location) => tierFor(location.freshness, now) === 'escalation');
  if (overdue.length > 0) {
    for (const contact of await commissionerContacts()) {
      const area = contact.scope.replace(/^area#/, '');
      const level = areaLevelOf(area);
      const inArea = overdue.filter((location) => level === 'england' || location.localAuthority === area || location.region === area);
      if (inArea.length === 0) continue;
      const email = { to: [contact.email], ...commissionerDigestEmail(area, inArea.map((location) => view(location, now))) };
      await deliver('commissionerDigest', keys.commissionerDigest(contact.contactId, londonDay(now)), email, inArea.map((location) => location.locationId), { area });
    }
  }
  return report;
}
