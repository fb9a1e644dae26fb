import type { Principal } from '#shared/model/access/identity';
import { problems } from '#shared/model/errors';
import type { Registration } from '#shared/model/schemas/registrations';
import { getMembership } from '#shared/repositories/memberships';
import { invalidPageToken } from '#shared/repositories/pagination';
import { listRegistrations, registrationsOfLocation, registrationsOfUser } from '#shared/repositories/registrations';

interface Query {
  status?: Registration['status'] | undefined;
  locationId?: string | undefined;
  limit: number;
  nextToken?: string | undefined;
}

/**
 * Who sees which requests (DESIGN §10.1): an admin the queue (pending unless a status is asked for) or
 * one location's; a manager their location's, to decide them; any other provider user their own, to see
 * what became of them.
 */
export async function registrationsFor(caller: Principal, query: Query): Promise<{ items: Registration[]; nextToken: string | null }> {
  if (caller.kind !== 'user') throw problems.forbidden('Not for an update link.');
  const ofStatus = (items: Registration[]) => (query.status ? items.filter((registration) => registration.status === query.status) : items);
  if (query.locationId !== undefined) {
    if (caller.role !== 'admin' && (await getMembership(caller.userId, query.locationId))?.manager !== true) {
      throw problems.forbidden(`Only an admin or a manager of location ${query.locationId} sees its registrations.`);
    }
    // A location's requests are few: all in one page, so no token was ever given out for it.
    if (query.nextToken !== undefined) throw invalidPageToken();
    return { items: ofStatus(await registrationsOfLocation(query.locationId)).slice(0, query.limit), nextToken: null };
  }
  if (caller.role === 'admin') return listRegistrations(query.status ?? 'pending', query.limit, query.nextToken);
  const page = await registrationsOfUser(caller.userId, query.limit, query.nextToken);
  return { items: ofStatus(page.items), nextToken: page.nextToken };
}
