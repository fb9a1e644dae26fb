import { keys } from '#shared/model/keys';

const HOUR = 3_600_000;
export const REMINDER_AFTER_HOURS = 24;
export const ESCALATION_AFTER_HOURS = 48;
/** No email between 20:00 and 07:00 in England: what falls due then goes at the 07:05 run. */
export const QUIET_FROM_HOUR = 20;
export const QUIET_UNTIL_HOUR = 7;

const londonHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' });

export function isQuietHours(now: Date): boolean {
  const hour = Number(londonHour.format(now));
  return hour >= QUIET_FROM_HOUR || hour < QUIET_UNTIL_HOUR;
}

export type Tier = 'reminder' | 'escalation';

/** Which email a location is due, going by when it last reported (`freshness`, '0' if never). */
export function tierFor(freshness: string, now: Date): Tier | undefined {
  if (freshness === keys.neverReported()) return 'escalation';
  const hours = (now.getTime() - Date.parse(freshness)) / HOUR;
  if (hours >= ESCALATION_AFTER_HOURS) return 'escalation';
  if (hours >= REMINDER_AFTER_HOURS) return 'reminder';
  return undefined;
}

/** "1 day 3 hours", "2 days", "30 hours" read worse; "never" when there is nothing. */
export function timeSince(freshness: string, now: Date): string {
  if (freshness === keys.neverReported()) return 'never';
  const hours = Math.max(0, Math.floor((now.getTime() - Date.parse(freshness)) / HOUR));
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days === 0) return plural(rest, 'hour');
  return rest === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${plural(rest, 'hour')}`;
}

/** The instant before which a location counts as stale for reminders. */
export function staleBefore(now: Date): string {
  return new Date(now.getTime() - REMINDER_AFTER_HOURS * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
