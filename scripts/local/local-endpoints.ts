import * as z from 'zod';
import { issueUpdateLink } from '#shared/services/auth/update-links';
import { fieldErrorsFromZod } from '#shared/model/errors';
import { LocationId } from '#shared/model/schemas/common';
import type { DemoUser } from '../seed/demo-users';
import type { IncomingRequest, OutgoingResponse } from './api-event';
import { LOCAL_ACCOUNT_API_PATH, localAccountApi } from './account-api-local';
import { JWKS_PATH, type LocalIssuer } from './issuer';
import type { LocalSes } from './ses-local';

export function jsonResponse(statusCode: number, body: unknown, contentType = 'application/json'): OutgoingResponse {
  return { statusCode, headers: { 'content-type': contentType }, body: Buffer.from(JSON.stringify(body, null, 2)) };
}

function problem(status: number, title: string, detail: string, errors?: { path: string; message: string }[]): OutgoingResponse {
  return jsonResponse(status, { type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) }, 'application/problem+json');
}

function parseBody<S extends z.ZodType>(request: IncomingRequest, schema: S): z.infer<S> | OutgoingResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8') || '{}');
  } catch {
    return problem(400, 'Malformed JSON', 'The body is not valid JSON.');
  }
  const result = schema.safeParse(parsed);
  return result.success ? result.data : problem(400, 'Invalid request', 'The body has invalid fields.', fieldErrorsFromZod(result.error));
}

/** A user the local issuer signs for: a demo user, or one an admin invited (the users table). */
export interface LocalUser {
  id: string;
  role: DemoUser['role'];
  areas: readonly string[];
  email?: string;
  locations?: readonly string[];
  status?: 'active' | 'disabled';
}

export interface LocalServices {
  /** The users table's users, read at each request so a new user can sign in at once (and a disabled one cannot). */
  invitedUsers?: () => Promise<LocalUser[]>;
  ses?: LocalSes;
  /** Runs the reminder job once as if the clock read `at`, answering with its report. */
  runReminders?: (at: Date) => Promise<unknown>;
}

/** The local-only endpoints of DESIGN §3 (never deployed): demo users, their tokens, sent mail, the reminder job. */
export function localEndpoints(users: DemoUser[], issuer: LocalIssuer, services: LocalServices = {}): Record<string, (request: IncomingRequest) => Promise<OutgoingResponse>> {
  const { ses, runReminders, invitedUsers } = services;
  const accounts = localAccountApi((token) => issuer.subjectOf(token));
  // The users table has the last word (the demo seed writes the demo users there too); a disabled user is left out.
  const everyone = async (): Promise<LocalUser[]> => {
    const stored = invitedUsers ? await invitedUsers() : [];
    const byId = new Map(stored.map((user) => [user.id, user]));
    const demo: LocalUser[] = users.filter((user) => !byId.has(user.id));
    const fromTable = stored.map((user) => ({ ...user, locations: users.find((candidate) => candidate.id === user.id)?.locations ?? [] }));
    return [...demo, ...fromTable].filter((user) => user.status !== 'disabled');
  };
  return {
    ...(ses ? { 'GET /local/emails': async () => jsonResponse(200, await ses.emails()) } : {}),
    ...(runReminders
      ? {
          'POST /local/reminders/run': async (request: IncomingRequest) => {
            const body = parseBody(request, z.strictObject({ at: z.iso.datetime({ offset: true }).optional() }));
            if ('statusCode' in body) return body;
            return jsonResponse(200, await runReminders(body.at ? new Date(body.at) : new Date()));
          },
        }
      : {}),
    'GET /local/users': async () => jsonResponse(200, await everyone()),
    // What the deployment writes at deploy time: the API is on the same origin as the pages.
    'GET /config.js': async () => ({
      statusCode: 200,
      headers: { 'content-type': 'text/javascript; charset=utf-8' },
      body: Buffer.from(`window.CAPACITY_TRACKER_API = '';\nwindow.CAPACITY_TRACKER_ACCOUNT_API = '${LOCAL_ACCOUNT_API_PATH}';\n`),
    }),
    // Cognito's user API, for the authenticator-app page (web/mfa.js).
    [`POST ${LOCAL_ACCOUNT_API_PATH}`]: (request) => accounts.handle(request),
    [`GET ${JWKS_PATH}`]: async () => jsonResponse(200, issuer.jwks),
    'POST /local/token': async (request) => {
      // A demo user by id, or any provider user by id (the load test's simulated providers): a provider's
      // token opens nothing by itself, the memberships table says which locations it may act for.
      // Every local user has an authenticator app (the token carries the MFA claim); `"mfa": false` signs in
      // as someone who has not set one up: an admin, national or commissioner token of that kind is refused
      // (403), until they set one up on /mfa.html (the stand-in above), as the pre token trigger would see.
      const body = parseBody(
        request,
        z.union([z.strictObject({ user: z.string(), mfa: z.boolean().optional() }), z.strictObject({ sub: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), role: z.literal('provider') })]),
      );
      if ('statusCode' in body) return body;
      if ('sub' in body) return jsonResponse(200, { token: await issuer.sign({ sub: body.sub, role: 'provider' }) });
      const user = (await everyone()).find((candidate) => candidate.id === body.user);
      if (!user) return problem(404, 'Not found', `No user ${body.user} (or disabled); see GET /local/users.`);
      const mfa = body.mfa === false && !accounts.signsInWithAuthenticatorApp(user.id) ? false : undefined;
      return jsonResponse(200, { token: await issuer.sign({ sub: user.id, role: user.role, areas: user.areas, ...(mfa !== undefined ? { mfa } : {}) }) });
    },
    // What a reminder email carries (issue 5 sends them); here so the links can be tried by hand.
    'POST /local/update-links': async (request) => {
      const body = parseBody(request, z.strictObject({ locationId: LocationId }));
      if ('statusCode' in body) return body;
      const link = await issueUpdateLink(body.locationId);
      return jsonResponse(200, { token: link.token, locationId: link.locationId, expiresAt: link.expiresAt.toISOString() });
    },
  };
}
