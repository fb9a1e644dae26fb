/**
 * Scheduled jobs, defined once: the CDK app makes an EventBridge schedule of each, and the local stack
 * runs the same handler on the same cadence.
 */
import type { TableAccess } from './routes';
import type { TableId } from './tables';

export interface ScheduleDefinition {
  id: string;
  handler: string;
  description: string;
  /** EventBridge cron, in UTC; `minuteOfHour` is the same cadence for the local stack. */
  expression: string;
  minuteOfHour: number;
  tables: Partial<Record<TableId, TableAccess>>;
  /** Sends email through SES. */
  sendsEmail: boolean;
  /** Signs update links (reads the update-link key). */
  signsUpdateLinks: boolean;
}

export const schedules = {
  reminders: {
    id: 'reminders',
    handler: 'functions/reminders.ts',
    description: 'Hourly: remind locations stale past 24 h, escalate past 48 h, daily digests to commissioners',
    // Five past the hour, every hour; the job itself keeps quiet between 20:00 and 07:00 in London.
    expression: 'cron(5 * * * ? *)',
    minuteOfHour: 5,
    tables: { locations: 'RO', reminderSends: 'RW', contacts: 'RO' },
    sendsEmail: true,
    signsUpdateLinks: true,
  },
} as const satisfies Record<string, ScheduleDefinition>;
