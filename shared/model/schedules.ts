/**
 * Scheduled jobs' cadences, defined once: the CDK app makes an EventBridge schedule of each, and the local
 * stack runs the same function on the same cadence. What each job's function may touch is in
 * `shared/model/functions.ts`.
 */
export interface ScheduleDefinition {
  id: string;
  description: string;
  /** EventBridge cron, in UTC; `minuteOfHour` is the same cadence for the local stack. */
  expression: string;
  minuteOfHour: number;
}

export const schedules = {
  reminders: {
    id: 'reminders',
    description: 'Hourly: remind locations stale past 24 h, escalate past 48 h, daily digests to commissioners',
    // Five past the hour, every hour; the job itself keeps quiet between 20:00 and 07:00 in London.
    expression: 'cron(5 * * * ? *)',
    minuteOfHour: 5,
  },
} as const satisfies Record<string, ScheduleDefinition>;
