/**
 * The operating side (DESIGN §10.1): users, a location's members and contacts, pauses, the unreachable
 * report and the audit trail. One schema per shape, used by the routes, the OpenAPI document and the pages.
 */
import * as z from 'zod';
import { CalendarDate, Instant, LocalAuthorityCode, LocationId, ProviderId, RegionCode, Role, SafeText } from '#shared/model/schemas/common';

/**
 * RFC 5321's limit on a path, and a shape check: one @, something either side, a dot in the domain, no
 * spaces, and nothing `SafeText` refuses (an address is shown on pages and in the audit).
 */
export const EmailAddress = SafeText.trim()
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address such as manager@home.example')
  .transform((email) => email.toLowerCase())
  .meta({ id: 'EmailAddress' });

/** Commissioners' areas: councils or regions (England is the national role's). */
export const CommissionerArea = z.union([LocalAuthorityCode, RegionCode], { error: 'must be an ONS council (E06, E08, E09, E10) or region (E12) code' });

export const UserStatus = z.enum(['active', 'disabled']);
export const User = z
  .object({
    userId: z.string(),
    email: z.string(),
    role: Role,
    areas: z.array(z.string()),
    status: UserStatus,
    createdAt: Instant,
    createdBy: z.string(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;
export const UserPage = z.object({ items: z.array(User), nextToken: z.string().nullable() }).meta({ id: 'UserPage' });

/** A commissioner has one or more areas; no one else has any. */
function checkAreas(value: { role?: Role | undefined; areas?: string[] | undefined }, ctx: z.RefinementCtx) {
  if (value.role === undefined) return;
  const areas = value.areas ?? [];
  if (value.role === 'commissioner' && areas.length === 0) ctx.addIssue({ code: 'custom', path: ['areas'], message: 'a commissioner needs at least one area' });
  if (value.role !== 'commissioner' && areas.length > 0) ctx.addIssue({ code: 'custom', path: ['areas'], message: `only a commissioner has areas, not a ${value.role}` });
}

export const UserInvite = z
  .strictObject({
    email: EmailAddress,
    role: Role,
    areas: z.array(CommissionerArea).max(50).optional(),
  })
  .superRefine(checkAreas)
  .meta({ id: 'UserInvite' });
export type UserInvite = z.infer<typeof UserInvite>;

export const UserChange = z
  .strictObject({
    role: Role.optional(),
    areas: z.array(CommissionerArea).max(50).optional(),
    disabled: z.boolean().optional(),
  })
  .refine((change) => Object.keys(change).length > 0, 'send at least one of role, areas, disabled')
  .meta({ id: 'UserChange' });
export type UserChange = z.infer<typeof UserChange>;

export const UserListQuery = z.strictObject({
  role: Role.optional(),
  locationId: LocationId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().max(2048).optional(),
});

const UserId = z.string().min(1).max(128).regex(/^[A-Za-z0-9@._:-]+$/, 'must be a user id');
export const UserPath = z.object({ userId: UserId });
export const MemberPath = z.object({ locationId: LocationId, userId: UserId });

export const Member = z.object({ userId: z.string(), email: z.string().nullable(), manager: z.boolean(), grantedAt: Instant, grantedBy: z.string() }).meta({ id: 'Member' });
export const MemberList = z.object({ items: z.array(Member) }).meta({ id: 'MemberList' });
export const MemberChange = z.strictObject({ manager: z.boolean().default(false) }).meta({ id: 'MemberChange' });

export const LocationContact = z
  .strictObject({
    reminderEmails: z
      .array(EmailAddress)
      .min(1, 'give at least one address')
      .max(5, 'at most 5 addresses')
      .refine((emails) => new Set(emails).size === emails.length, 'each address once'),
    phone: z.string().trim().min(6).max(30).regex(/^[0-9 +()-]+$/, 'must be a phone number').optional(),
  })
  .meta({ id: 'LocationContact' });
export type LocationContact = z.infer<typeof LocationContact>;
export const ProviderContact = z.strictObject({ email: EmailAddress }).meta({ id: 'ProviderContact' });
export const ProviderPath = z.object({ providerId: ProviderId });
export const ProviderContactView = z.object({ providerId: ProviderId, email: z.string().nullable() }).meta({ id: 'ProviderContactView' });

export const PauseRequest = z
  .strictObject({
    reason: SafeText.trim().min(3, 'say why, in a few words').max(200),
    until: CalendarDate.optional().describe('the London day it resumes by itself; none: until resumed'),
  })
  .meta({ id: 'PauseRequest' });
export type PauseRequest = z.infer<typeof PauseRequest>;
export const Pause = z.object({ reason: z.string(), since: Instant, until: CalendarDate.optional(), by: z.string() }).meta({ id: 'Pause' });

export const UnreachableQuery = z.strictObject({ area: z.union([LocalAuthorityCode, RegionCode]).optional() });
export const UnreachableLocation = z
  .object({
    locationId: LocationId,
    name: z.string(),
    providerId: ProviderId,
    localAuthority: z.string(),
    localAuthorityName: z.string().nullable(),
    noReminderAddress: z.boolean(),
    noMember: z.boolean(),
  })
  .meta({ id: 'UnreachableLocation' });
export const UnreachableReport = z.object({ items: z.array(UnreachableLocation) }).meta({ id: 'UnreachableReport' });

export const AuditQuery = z.strictObject({
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
  actor: SafeText.max(128).optional(),
  locationId: LocationId.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  nextToken: z.string().max(2048).optional(),
});
export const AuditEntry = z
  .object({
    at: Instant,
    actor: z.string(),
    action: z.string(),
    subject: z.string().describe('what changed: user#id, location#id, provider#id, registration#id'),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export const AuditPage = z.object({ items: z.array(AuditEntry), nextToken: z.string().nullable() }).meta({ id: 'AuditPage' });
