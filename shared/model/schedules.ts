/**
 * Scheduled jobs' cadences, defined once: the CDK app makes an EventBridge schedule of each, and the local
 * stack runs the same function on the same cadence. What each job's function may touch is in
 * `shared/model/functions.ts`.
 */
export interface ScheduleDefinition {
  id: string;
  description: string;
  /**
   * EventBridge cron, in UTC; `minuteOfHour` (and `hourOfDay` for a daily job) is the same cadence for the
   * local stack.
   */
  expression: string;
  minuteOfHour: number;
  /** Daily at this hour (UTC); unset, the job runs every hour. */
  hourOfDay?: number;
}

export const schedules = {
  reminders: {
    id: 'reminders',
    description: 'Hourly: remind locations stale past 24 h, escalate past 48 h, daily digests to commissioners',
    // Five past the hour, every hour; the job itself keeps quiet between 20:00 and 07:00 in London.
    expression: 'cron(5 * * * ? *)',
    minuteOfHour: 5,
  },
  cqcSync: {
    id: 'cqcSync',
    description: 'Daily: the locations the CQC register changed since the last successful sync, into the directory',
    // 04:30 UTC: yesterday's registrations and deregistrations are in the directory before the morning's
    // returns (and the 07:05 reminders) start.
    expression: 'cron(30 4 * * ? *)',
    minuteOfHour: 30,
    hourOfDay: 4,
  },
} as const satisfies Record<string, ScheduleDefinition>;

/** When a job is next due after `now`, on the cadence of its definition (the local stack's timer). */
export function nextRun(definition: ScheduleDefinition, now: Date): Date {
  const due = new Date(now);
  due.setUTCSeconds(0, 0);
  due.setUTCMinutes(definition.minuteOfHour);
  if (definition.hourOfDay === undefined) {
    if (due <= now) due.setUTCHours(due.getUTCHours() + 1);
    return due;
  }
  due.setUTCHours(definition.hourOfDay);
  if (due <= now) due.setUTCDate(due.getUTCDate() + 1);
  return due;
}
