/**
 * Every reminder email, in one place: plain text and HTML, built from plain data so they can be
 * unit-tested and read side by side. Names come from the directory and are escaped in HTML.
 */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export interface StaleLocationView {
  name: string;
  locationId: string;
  /** "2 days 3 hours", or "never". */
  since: string;
}

export interface LinkPair {
  update: string;
  confirm: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function sinceSentence(location: StaleLocationView): string {
  return location.since === 'never' ? 'has not yet sent an update' : `was last updated ${location.since} ago`;
}

const footer = 'You receive this because you are the contact for this location in Capacity Tracker.';
const providerFooter = 'You receive this as the nominated contact of this provider in Capacity Tracker.';
const areaFooter = 'You receive this as a commissioner for this area in Capacity Tracker.';
const layout = (body: string, note = footer) =>
  `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#0b0c0c">${body}<p style="color:#505a5f;font-size:14px">${escapeHtml(note)}</p></body></html>`;
const button = (href: string, label: string) =>
  `<a href="${escapeHtml(href)}" style="display:inline-block;padding:10px 16px;margin:4px 8px 4px 0;background:#00703c;color:#fff;text-decoration:none;border-radius:3px">${escapeHtml(label)}</a>`;

export function locationEmail(tier: 'reminder' | 'escalation', location: StaleLocationView, links: LinkPair, linkHours: number): EmailContent {
  const urgent = tier === 'escalation';
  const subject = urgent
    ? `Urgent: ${location.name} has not updated Capacity Tracker for ${location.since === 'never' ? 'any day yet' : location.since}`
    : `Please update Capacity Tracker for ${location.name}`;
  const lead = `${location.name} (${location.locationId}) ${sinceSentence(location)}. Discharge teams and commissioners rely on today's figures.`;
  const text = [
    lead,
    '',
    `Update the figures: ${links.update}`,
    `Nothing has changed since the last update: ${links.confirm}`,
    '',
    `These links work for ${linkHours} hours and only for this location.`,
    '',
    footer,
  ].join('\n');
  const html = layout(
    `<p>${escapeHtml(lead)}</p><p>${button(links.update, 'Update the figures')}${button(links.confirm, 'Nothing has changed')}</p><p>These links work for ${linkHours} hours and only for this location.</p>`,
  );
  return { subject, text, html };
}

/** One email to a provider's nominated contact for all its homes newly past 48 hours. */
export function providerDigestEmail(locations: readonly StaleLocationView[]): EmailContent {
  const subject = `${locations.length} of your locations ${locations.length === 1 ? 'has' : 'have'} not updated Capacity Tracker for over 48 hours`;
  const lines = locations.map((location) => `- ${location.name} (${location.locationId}): ${location.since === 'never' ? 'never updated' : `last updated ${location.since} ago`}`);
  const text = [subject + '.', '', ...lines, '', 'Each location has been sent its own links to update or confirm its figures.', '', providerFooter].join('\n');
  const html = layout(
    `<p>${escapeHtml(subject)}.</p><ul>${locations.map((location) => `<li>${escapeHtml(location.name)} (${escapeHtml(location.locationId)}): ${escapeHtml(location.since === 'never' ? 'never updated' : `last updated ${location.since} ago`)}</li>`).join('')}</ul><p>Each location has been sent its own links to update or confirm its figures.</p>`,
    providerFooter,
  );
  return { subject, text, html };
}

/** Once a day, to a provider's nominated contact: its stale locations that no reminder can reach (no address set). */
export function unreachableDigestEmail(locations: readonly StaleLocationView[]): EmailContent {
  const subject = `${locations.length} of your locations ${locations.length === 1 ? 'has' : 'have'} no address for Capacity Tracker reminders`;
  const since = (location: StaleLocationView) => (location.since === 'never' ? 'never updated' : `last updated ${location.since} ago`);
  const lines = locations.map((location) => `- ${location.name} (${location.locationId}): ${since(location)}`);
  const advice = 'They are due to update their figures, but no reminder can reach them: a manager of each (or an administrator) can set where reminders go.';
  const text = [subject + '.', '', ...lines, '', advice, '', providerFooter].join('\n');
  const html = layout(
    `<p>${escapeHtml(subject)}.</p><ul>${locations.map((location) => `<li>${escapeHtml(location.name)} (${escapeHtml(location.locationId)}): ${escapeHtml(since(location))}</li>`).join('')}</ul><p>${escapeHtml(advice)}</p>`,
    providerFooter,
  );
  return { subject, text, html };
}

/** The daily digest to a commissioner: every location in their area stale past 48 hours. */
export function commissionerDigestEmail(area: string, locations: readonly StaleLocationView[]): EmailContent {
  const subject = `${locations.length} location${locations.length === 1 ? '' : 's'} in ${area} stale for over 48 hours`;
  const lines = locations.map((location) => `- ${location.name} (${location.locationId}): ${location.since === 'never' ? 'never updated' : `${location.since} since the last update`}`);
  const text = [`Locations in ${area} that have not updated Capacity Tracker for over 48 hours:`, '', ...lines, '', areaFooter].join('\n');
  const html = layout(
    `<p>Locations in ${escapeHtml(area)} that have not updated Capacity Tracker for over 48 hours:</p><ul>${locations.map((location) => `<li>${escapeHtml(location.name)} (${escapeHtml(location.locationId)}): ${escapeHtml(location.since === 'never' ? 'never updated' : `${location.since} since the last update`)}</li>`).join('')}</ul>`,
    areaFooter,
  );
  return { subject, text, html };
}
