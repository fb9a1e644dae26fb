import * as z from 'zod';
import { SafeText } from '#shared/model/schemas/common';

export const PlaceQuery = z.strictObject({
  name: SafeText.trim().min(1, 'say where: a town, an area or a postcode district').max(60).describe('a town (Exeter), an area (Torbay) or a postcode district (EX1)'),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const Place = z
  .object({
    code: z.string().describe('the postcode district: use it as `near` on /v1/vacancies'),
    latitude: z.number(),
    longitude: z.number(),
    town: z.string().optional(),
    area: z.string().optional(),
  })
  .meta({ id: 'Place' });
export const PlaceList = z.object({ items: z.array(Place) }).meta({ id: 'PlaceList' });
