/** How far back a return may be made or corrected (DESIGN §5). */
export const MAX_DAYS_BACK = 7;

const londonDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day in Europe/London at an instant (en-CA formats as YYYY-MM-DD). */
export function londonDay(at: Date): string {
  return londonDate.format(at);
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Why a report date cannot be used now, or undefined if it can. Dates compare as strings in this form. */
export function reportDateProblem(reportDate: string, now: Date): string | undefined {
  const today = londonDay(now);
  if (reportDate > today) return `is in the future: today in England is ${today}`;
  const earliest = addDays(today, -MAX_DAYS_BACK);
  if (reportDate < earliest) return `is more than ${MAX_DAYS_BACK} days ago: the earliest day open is ${earliest}`;
  return undefined;
}

/** Instants are stored to the second, as the API documents them. */
export function toInstant(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The instant a London calendar day begins (00:00 GMT or BST). */
// Made once: each Intl.DateTimeFormat holds 100-200 KB outside the heap, and the aggregator asks for every record.
const LONDON_HOUR = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' });

export function londonStartOfDay(day: string): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`);
  const londonHour = Number(LONDON_HOUR.format(utcMidnight));
  // London is UTC or UTC+1, so at UTC midnight it reads 00 or 01.
  return new Date(utcMidnight.getTime() - londonHour * 3_600_000);
}
