/**
 * Saving, listing and deleting saved searches (DESIGN §10.3), and unsubscribing by an email's link.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '#shared/model/access/identity';
import { postcodeDistrictOf } from '#shared/model/directory/postcodes';
import { problems, ProblemError } from '#shared/model/errors';
import { MAX_SAVED_SEARCHES_PER_USER, rowsOfCircle } from '#shared/model/saved-searches';
import { SavedSearchPath, type SavedSearch } from '#shared/model/schemas/saved-searches';
import type * as z from 'zod';
import type { SavedSearchRequest } from '#shared/model/schemas/saved-searches';
import { getPostcodeDistrict } from '#shared/repositories/places';
import { deleteSavedSearch, getSavedSearch, putSavedSearch, savedSearchesOfUser, type StoredSavedSearch } from '#shared/repositories/saved-searches';
import { verifyUnsubscribeToken } from '#shared/services/saved-searches/unsubscribe-links';

const shown = ({ searchId, email, query, centre, createdAt }: StoredSavedSearch): SavedSearch => ({ searchId, email, query, centre, createdAt });

/** Save a search near a place: `near` is placed in its district now, and the search keeps that centre. */
export async function saveSearch(principal: Principal, request: z.output<typeof SavedSearchRequest>, now: Date): Promise<SavedSearch> {
  const code = postcodeDistrictOf(request.query.near);
  if (!code) throw problems.validation([{ path: 'query.near', message: 'must be a UK postcode (OL8 1AB) or postcode district (OL8)' }]);
  const district = await getPostcodeDistrict(code);
  if (!district) throw problems.validation([{ path: 'query.near', message: `${code} is not a postcode district we know` }]);
  const centre = { district: district.code, latitude: district.latitude, longitude: district.longitude };
  const search: StoredSavedSearch = {
    searchId: randomUUID(),
    userId: principal.userId,
    email: request.email,
    query: { ...request.query, near: district.code },
    centre,
    createdAt: now.toISOString(),
    rows: rowsOfCircle(centre, request.query.withinMiles),
  };
  if ((await putSavedSearch(search, MAX_SAVED_SEARCHES_PER_USER)) === 'atLimit') {
    throw problems.conflict(`You have ${MAX_SAVED_SEARCHES_PER_USER} saved searches, the most one may keep: delete one first.`);
  }
  return shown(search);
}

export async function listSavedSearches(principal: Principal): Promise<{ items: SavedSearch[] }> {
  return { items: (await savedSearchesOfUser(principal.userId)).map(shown) };
}

/** The caller's own only: someone else's is as unknown as one that never was (404). */
export async function removeSavedSearch(principal: Principal, searchId: string): Promise<void> {
  const search = await getSavedSearch(searchId);
  if (!search || search.userId !== principal.userId) throw problems.notFound('No such saved search of yours.');
  await deleteSavedSearch(search);
}

/** The unsubscribe link: deletes the search its token names; a search already gone is not an error. */
export async function unsubscribe(token: string, now: Date): Promise<{ searchId: string; status: 'deleted' | 'alreadyDeleted' }> {
  let searchId: string;
  try {
    searchId = await verifyUnsubscribeToken(token, now);
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
    const detail = expired ? 'This unsubscribe link has expired: sign in and delete the search on the search page.' : 'This is not an unsubscribe link we issued.';
    throw new ProblemError({ status: 401, title: 'Invalid unsubscribe link', slug: 'invalid-link', detail });
  }
  if (!SavedSearchPath.safeParse({ searchId }).success) throw problems.validation([{ path: 'token', message: 'names no saved search' }]);
  const search = await getSavedSearch(searchId);
  if (!search) return { searchId, status: 'alreadyDeleted' };
  return { searchId, status: (await deleteSavedSearch(search)) === 'gone' ? 'alreadyDeleted' : 'deleted' };
}
