import * as z from 'zod';
import { Instant, LocationId, SafeText } from '#shared/model/schemas/common';

export const RegistrationRequest = z.strictObject({ locationId: LocationId }).meta({ id: 'RegistrationRequest' });
export const RegistrationPath = z.object({ registrationId: z.uuid('must be a registration id') });
export const RegistrationDecision = z.strictObject({ note: SafeText.max(500).optional() }).meta({ id: 'RegistrationDecision' });
export const RegistrationListQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected']).optional().describe('admin without locationId: pending unless given; otherwise every status unless given'),
  locationId: LocationId.optional().describe("one location's requests: for an admin, or a manager of that location"),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});

export const Registration = z
  .object({
    registrationId: z.uuid(),
    locationId: LocationId,
    locationName: z.string(),
    userId: z.string(),
    email: z.string().nullable().describe("the requester's email address (null for a user the users table does not hold)"),
    status: z.enum(['pending', 'approved', 'rejected']),
    requestedAt: Instant,
    decidedAt: Instant.optional(),
    decidedBy: z.string().optional(),
    note: z.string().optional(),
  })
  .meta({ id: 'Registration' });
export type Registration = z.infer<typeof Registration>;
export const RegistrationPage = z.object({ items: z.array(Registration), nextToken: z.string().nullable() }).meta({ id: 'RegistrationPage' });
