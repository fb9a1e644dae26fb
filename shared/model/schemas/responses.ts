import * as z from 'zod';
import { Location } from '#shared/model/schemas/location';
import { StoredReturn } from '#shared/model/schemas/return';

const nextToken = z.string().nullable().describe('pass back as ?nextToken= for the next page; null on the last page');

export const LocationPage = z.object({ items: z.array(Location), nextToken }).meta({ id: 'LocationPage' });
export const LocationWithLatestReturn = Location.and(z.object({ latestReturn: StoredReturn.nullable() })).meta({
  id: 'LocationWithLatestReturn',
});
export const ReturnPage = z.object({ items: z.array(StoredReturn), nextToken }).meta({ id: 'ReturnPage' });

export const RevokedLinks = z
  .object({ locationId: z.string(), revokedAt: z.string().describe('links issued up to this instant no longer work') })
  .meta({ id: 'RevokedLinks' });
