/**
 * Saved searches (DESIGN §10.3): a discharge team's search near a place, kept so that a location newly
 * matching it is emailed. The query is the `/v1/vacancies` query without paging, and `near` is required.
 */
import * as z from 'zod';
import { AreaCode, Instant, SafeText } from '#shared/model/schemas/common';
import { LocationType, VACANCY_CATEGORIES } from '#shared/model/schemas/location';
import { EmailAddress } from '#shared/model/schemas/people';

/** As `GET /v1/vacancies` reads them (strings, or numbers in a JSON body), less `limit` and `nextToken`. */
export const SavedSearchQuery = z
  .strictObject({
    near: SafeText.trim().min(1, 'is required: a saved search is near a place').max(10).describe('a full UK postcode (OL8 1AB) or a postcode district (OL8)'),
    withinMiles: z.coerce.number().min(1).max(100).default(20).describe('how far (default 20)'),
    type: LocationType.optional().describe('only locations of this type'),
    category: z.enum([...VACANCY_CATEGORIES, 'any']).default('any'),
    sex: z.enum(['male', 'female']).optional().describe('only beds this person could take (their sex, or any)'),
    admitting: z.union([z.boolean(), z.enum(['true', 'false'])]).default('false').transform((value) => String(value) as 'true' | 'false').describe('true: only locations open to admissions'),
    area: AreaCode.optional().describe('only locations in this local authority or region'),
    updatedWithinHours: z.coerce.number().int().min(1).max(24 * 31).default(72),
  })
  .meta({ id: 'SavedSearchQuery' });
export type SavedSearchQuery = z.output<typeof SavedSearchQuery>;

export const SavedSearchRequest = z.strictObject({ query: SavedSearchQuery, email: EmailAddress }).meta({ id: 'SavedSearchRequest' });

export const SavedSearchPath = z.object({ searchId: z.uuid('must be a saved search id') });

export const SavedSearch = z
  .object({
    searchId: z.uuid(),
    email: z.string(),
    query: SavedSearchQuery,
    /** The district `near` was placed in, and its centre (fixed when the search was saved). */
    centre: z.object({ district: z.string(), latitude: z.number(), longitude: z.number() }),
    createdAt: Instant,
  })
  .meta({ id: 'SavedSearch' });
export type SavedSearch = z.output<typeof SavedSearch>;

export const SavedSearchList = z.object({ items: z.array(SavedSearch) }).meta({ id: 'SavedSearchList' });

export const UnsubscribeRequest = z.strictObject({ token: z.string().min(1, 'is required').max(4096) }).meta({ id: 'UnsubscribeRequest' });
export const UnsubscribeResult = z
  .object({ searchId: z.string(), status: z.enum(['deleted', 'alreadyDeleted']) })
  .meta({ id: 'UnsubscribeResult' });
