import { problems } from '#shared/model/errors';
import { subjects } from '#shared/model/people/audit';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import { searchAudit } from '#shared/repositories/audit';

/** Without `from`, the 31 days to `to` (today by default). */
const DEFAULT_DAYS = 31;

export interface AuditQueryInput {
  from?: string | undefined;
  to?: string | undefined;
  actor?: string | undefined;
  locationId?: string | undefined;
  limit: number;
  nextToken?: string | undefined;
}

/** The audit trail, newest first: a location's changes, an actor's, or everything, between two days. */
export async function readAudit(query: AuditQueryInput, now: Date) {
  const to = query.to ?? londonDay(now);
  const from = query.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) throw problems.validation([{ path: 'query.from', message: 'must be on or before to' }]);
  const page = await searchAudit({
    from,
    to,
    ...(query.actor ? { actor: query.actor } : {}),
    ...(query.locationId ? { subject: subjects.location(query.locationId) } : {}),
    limit: query.limit,
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
  });
  // An actor and a location: the location's changes by that actor.
  const items = page.items
    .filter((item) => !query.actor || !query.locationId || item.actor === query.actor)
    .map(({ at, actor, action, subject, before, after }) => ({ at, actor, action, subject, before: before ?? null, after: after ?? null }));
  return { items, nextToken: page.nextToken };
}
