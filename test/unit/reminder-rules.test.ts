import { describe, expect, test } from 'vitest';
import { isQuietHours, staleBefore, tierFor, timeSince } from '#shared/model/reminders/rules';
import { commissionerDigestEmail, escapeHtml, locationEmail, providerDigestEmail } from '#shared/model/reminders/templates';

const now = new Date('2026-11-24T10:00:00Z'); // 10:00 in London (GMT)
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('reminder rules', () => {
  test('tiers: nothing before 24 h, a reminder from 24 h, an escalation from 48 h or if never updated', () => {
    expect(tierFor(hoursAgo(23.9), now)).toBeUndefined();
    expect(tierFor(hoursAgo(24), now)).toBe('reminder');
    expect(tierFor(hoursAgo(47.9), now)).toBe('reminder');
    expect(tierFor(hoursAgo(48), now)).toBe('escalation');
    expect(tierFor('0', now)).toBe('escalation');
  });

  test('quiet hours are 20:00 to 07:00 in London, in winter and in summer', () => {
    expect(isQuietHours(new Date('2026-11-24T19:59:00Z'))).toBe(false);
    expect(isQuietHours(new Date('2026-11-24T20:00:00Z'))).toBe(true);
    expect(isQuietHours(new Date('2026-11-25T06:59:00Z'))).toBe(true);
    expect(isQuietHours(new Date('2026-11-25T07:00:00Z'))).toBe(false);
    // BST: 06:30 UTC is 07:30 in London, 19:30 UTC is 20:30.
    expect(isQuietHours(new Date('2026-07-01T06:30:00Z'))).toBe(false);
    expect(isQuietHours(new Date('2026-07-01T19:30:00Z'))).toBe(true);
  });

  test('how long since the last update, in words', () => {
    expect(timeSince(hoursAgo(5), now)).toBe('5 hours');
    expect(timeSince(hoursAgo(24), now)).toBe('1 day');
    expect(timeSince(hoursAgo(51), now)).toBe('2 days 3 hours');
    expect(timeSince(hoursAgo(25), now)).toBe('1 day 1 hour');
    expect(timeSince('0', now)).toBe('never');
  });

  test('stale means reported more than 24 hours before now', () => {
    expect(staleBefore(now)).toBe('2026-11-23T10:00:00Z');
  });
});

describe('reminder emails', () => {
  const links = { update: 'https://form.example/?location=1-1#token=abc', confirm: 'https://form.example/confirm.html?location=1-1&date=2026-11-24#token=abc' };
  const home = { name: 'Oak & Ash <House>', locationId: '1-109570155', since: '2 days 3 hours' };

  test('a reminder names the location, says how long, and offers both links in text and HTML', () => {
    const email = locationEmail('reminder', home, links, 72);
    expect(email.subject).toBe('Please update Capacity Tracker for Oak & Ash <House>');
    expect(email.text).toContain('was last updated 2 days 3 hours ago');
    expect(email.text).toContain(links.update);
    expect(email.text).toContain(links.confirm);
    expect(email.text).toContain('72 hours');
    expect(email.html).toContain('Oak &amp; Ash &lt;House&gt;');
    expect(email.html).not.toContain('<House>');
    expect(email.html).toContain(`href="${escapeHtml(links.confirm)}"`);
    expect(email.html).toContain('Nothing has changed');
  });

  test('an escalation is marked urgent; a location that never reported says so', () => {
    expect(locationEmail('escalation', home, links, 72).subject).toMatch(/^Urgent: .* for 2 days 3 hours$/);
    const never = locationEmail('escalation', { ...home, since: 'never' }, links, 72);
    expect(never.text).toContain('has not yet sent an update');
  });

  test('digests list every location once, in one email', () => {
    const homes = [home, { name: 'Elm Lodge', locationId: '1-100000001', since: 'never' }];
    const provider = providerDigestEmail(homes);
    expect(provider.subject).toBe('2 of your locations have not updated Capacity Tracker for over 48 hours');
    expect(provider.text).toContain('Elm Lodge (1-100000001): never updated');
    expect(provider.html.match(/<li>/g)).toHaveLength(2);
    const commissioner = commissionerDigestEmail('E08000004', homes);
    expect(commissioner.subject).toBe('2 locations in E08000004 stale for over 48 hours');
    expect(commissioner.text).toContain('1-109570155');
    expect(commissioner.text).toContain('as a commissioner for this area');
  });
});
