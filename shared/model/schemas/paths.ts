import * as z from 'zod';
import { CalendarDate, LocationId } from '#shared/model/schemas/common';

export const LocationPath = z.object({ locationId: LocationId });
export const ReturnPath = z.object({ locationId: LocationId, reportDate: CalendarDate });
