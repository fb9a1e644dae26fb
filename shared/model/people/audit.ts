import { keys } from '#shared/model/keys';

/** How long audit entries are kept: at least two years (DESIGN §10.1), then DynamoDB's TTL deletes them. */
export const AUDIT_RETENTION_DAYS = 2 * 366;

/** One change, as the audit trail records it. */
export interface AuditChange {
  actor: string;
  /** What was done: `user.invite`, `member.put`, `location.pause`, `registration.approve`, ... */
  action: string;
  /** What it was done to: `user#id`, `location#id`, `provider#id`, `registration#id`. */
  subject: string;
  before: unknown;
  after: unknown;
}

/** The stored item: keyed by subject and instant, indexed by month and actor, with its expiry. */
export function auditItem(change: AuditChange, at: Date, id: string): Record<string, unknown> {
  const instant = at.toISOString();
  return {
    ...keys.audit(change.subject, instant, id),
    at: instant,
    month: keys.auditMonth(instant),
    actor: change.actor,
    action: change.action,
    before: change.before ?? null,
    after: change.after ?? null,
    expiresAt: Math.floor(at.getTime() / 1000) + AUDIT_RETENTION_DAYS * 86_400,
  };
}

export const subjects = {
  user: (userId: string) => `user#${userId}`,
  location: (locationId: string) => `location#${locationId}`,
  provider: (providerId: string) => `provider#${providerId}`,
  registration: (registrationId: string) => `registration#${registrationId}`,
};
