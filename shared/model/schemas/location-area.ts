import * as z from 'zod';
import { CalendarDate } from '#shared/model/schemas/common';

const day = z.object({
  date: CalendarDate,
  locationsExpected: z.int(),
  locationsReporting: z.int().describe('homes in the area that sent that day’s return'),
  vacancies: z.int(),
  bedsOccupied: z.int(),
  /** Occupied beds over all the beds the reporting homes accounted for (occupied and every vacant bed). */
  occupancy: z.number().nullable().describe('0..1, null when nobody reported'),
});

export const LocationArea = z
  .object({ locationId: z.string(), localAuthority: z.string(), today: day, yesterday: day })
  .meta({ id: 'LocationArea', description: "what a provider sees beside its own figures: its authority's" });
