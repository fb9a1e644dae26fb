import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { demoLocations } from '#scripts/seed/demo-data';
import { demoUsers } from '#scripts/seed/demo-users';
import type { LocalIssuer } from '#scripts/local/issuer';
import { startLocalSystem, type LocalSystem } from '#scripts/local/system';
import { TEST_TABLE_PREFIX } from '#test/setup/dynamodb-local';
import type { Role } from '#shared/model/schemas/common';
import { putLocations } from '#shared/repositories/locations';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import type { Location } from '#shared/model/schemas/location';

let issuer: LocalIssuer | undefined;

export interface Gateway {
  url: () => string;
  /**
   * Resolves when no export worker run is going on or waiting for a retry: after `POST /v1/exports`
   * answers 202, the job is done (ready or failed) once this resolves. Rejects after `timeoutMs`
   * (default 20 s) naming what is still pending.
   */
  exportsIdle: (timeoutMs?: number) => Promise<void>;
  /** The export worker's dead-letter file: one JSON line per event given up on (scripts/local/lambda-local.ts `DeadLetter`). */
  exportDeadLetters: () => Array<{ functionName: string; payload: unknown; error: string; attempts: number; at: string; condition: string }>;
}

/**
 * The local gateway on a free port, for the file's tests: HTTP in, the real authorizer and the deployed
 * handlers, DynamoDB Local and the local S3 server behind them, and the export worker run in process
 * when the exports route invokes it (retries 50 ms apart). Tokens come from the local issuer it trusts.
 */
export function useGateway(): Gateway {
  let system: LocalSystem | undefined;
  let scratch: string | undefined;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ct-gateway-'));
    // The run's DynamoDB Local, tables and S3 server (test/setup), and a gateway and an export worker of this file's own.
    system = await startLocalSystem({
      dynamodb: { endpoint: process.env.DYNAMODB_ENDPOINT! },
      tablePrefix: TEST_TABLE_PREFIX,
      createTables: false,
      s3: { endpoint: process.env.S3_ENDPOINT!, ...(process.env.EXPORTS_BUCKET ? { bucket: process.env.EXPORTS_BUCKET } : {}) },
      exportWorker: { deadLetterFile: join(scratch, 'export-worker-dead-letters.jsonl'), retryDelayMs: 50 },
      gateway: { port: 0, users: demoUsers(demoLocations()) },
    });
    issuer = system.issuer;
  });
  afterAll(async () => {
    await system?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  return {
    url: () => system!.url!,
    exportsIdle: (timeoutMs = 20_000) => system!.exportWorker!.idle(timeoutMs),
    exportDeadLetters: () => {
      const file = system!.exportWorker!.deadLetterFile;
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
    },
  };
}

/**
 * `mfa`: signed in with an authenticator app (the ID token's MFA claim). By default yes, as for every
 * demo user: `mfa: false` is the token of someone who has not set one up, which an admin, national or
 * commissioner cannot act with.
 */
export type Caller = { sub: string; role: Role; areas?: string[]; mfa?: boolean };
const DEMO_USERS = demoUsers(demoLocations());

/** An ID token from the local issuer: for a demo user by id, or for any claims a test needs. */
export function tokenFor(caller: string | Caller, options: { now?: Date; ttlSeconds?: number; audience?: string } = {}): Promise<string> {
  if (!issuer) throw new Error('useGateway() first');
  const claims =
    typeof caller === 'string'
      ? (() => {
          const user = DEMO_USERS.find((candidate) => candidate.id === caller);
          if (!user) throw new Error(`no demo user ${caller}`);
          return { sub: user.id, role: user.role, areas: user.areas };
        })()
      : caller;
  return issuer.sign(claims, options);
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Who calls: a demo user id or claims (signed by the local issuer), a raw token, or null for nobody. Default: the demo admin. */
  as?: string | Caller | { token: string } | null;
}

export async function call(base: string, method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const as = options.as === undefined ? 'admin' : options.as;
  if (as !== null && headers.authorization === undefined) {
    headers.authorization = `Bearer ${typeof as === 'object' && 'token' in as ? as.token : await tokenFor(as)}`;
  }
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** A fresh location nobody else's test touches. */
export function newLocation(overrides: Partial<Location> = {}): Location {
  return {
    locationId: `1-9${String(randomInt(0, 99_999_999)).padStart(8, '0')}`,
    providerId: '1-900000001',
    name: 'Test House',
    type: 'careHome',
    categories: ['residential', 'nursing'],
    registeredBeds: 60,
    localAuthority: 'E08000004',
    region: 'E12000002',
    active: true,
    lastUpdated: null,
    ...overrides,
  };
}

export async function createLocation(overrides: Partial<Location> = {}): Promise<Location> {
  const location = newLocation(overrides);
  await putLocations([location]);
  return location;
}

export const today = () => londonDay(new Date());
export const daysAgo = (days: number) => addDays(today(), -days);

export { designExample } from '#scripts/seed/design-example';

export const returnPath = (locationId: string, reportDate: string) => `/v1/locations/${locationId}/returns/${reportDate}`;
