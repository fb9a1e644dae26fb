/**
 * What the fuzzer aims at: the local gateway (real HTTP on loopback, the real authorizer and handlers)
 * over a fresh set of tables in DynamoDB Local, seeded with a small world the generators know about, and
 * the tokens of every kind of caller. Shared by `npm run fuzz` and `test/fuzz/http-api.fuzz.test.ts`.
 *
 * The tables carry a prefix of their own (`fuzz-<random>`), so a whole-table checksum sees this run's
 * writes only, even when other tests use the same DynamoDB Local at the same time. The checksum reads
 * every item with Scan: a test-only check (DESIGN §9 forbids Scan in request paths and jobs, not here).
 */
import '../local/process-defaults';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createLocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../local/issuer';
import { startLocalSystem } from '../local/system';
import { tables as tableDefinitions, TABLE_IDS, type TableId } from '#shared/model/tables';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import type { Role } from '#shared/model/schemas/common';
import type { Location } from '#shared/model/schemas/location';
import { designExample } from '#scripts/seed/design-example';
import { PROVIDER_USER, type Caller, type FuzzWorld } from './generators';

export interface TableState {
  count: number;
  sha256: string;
}
export type Snapshot = Record<string, TableState>;

export interface FuzzTarget {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: string;
  port: number;
  world: FuzzWorld;
  tables: Record<TableId, string>;
  /** Every item of every table of this run, counted and hashed. */
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

/** The environment this module sets, restored on close (a vitest worker may run other files after). */
const TOUCHED_ENV = [
  ...TABLE_IDS.map((id) => tableDefinitions[id].envVar),
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWKS_URL',
  'UPDATE_LINK_SECRET',
  'DYNAMODB_ENDPOINT',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'S3_ENDPOINT',
  'EXPORTS_BUCKET',
  'LAMBDA_ENDPOINT',
  'EXPORT_WORKER_FUNCTION',
];

/** A stable text for an item: attribute names sorted at every level. */
function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Set) return canonical([...value].map(String).sort());
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

async function scanTable(client: DynamoDBClient, name: string): Promise<TableState> {
  const lines: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: name, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) lines.push(canonical(item));
    start = page.LastEvaluatedKey;
  } while (start);
  lines.sort();
  return { count: lines.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

/** Which tables differ between two snapshots, and how their item counts moved. */
export function snapshotDiff(before: Snapshot, after: Snapshot): string[] {
  return Object.keys(after)
    .filter((name) => before[name]?.sha256 !== after[name]?.sha256)
    .map((name) => `${name}: ${before[name]?.count ?? 0} → ${after[name]?.count ?? 0} items${before[name]?.count === after[name]?.count ? ' (an item changed)' : ''}`);
}

const base64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * Tokens no caller should get past: each is a 401 on every route that needs a token. Made with the real
 * issuer (expired, wrong audience, no role), another key under the same key id, unknown key ids, and by
 * hand (alg none, HS256 with the public key, payloads edited under a kept signature, forged update links).
 */
async function badTokens(sign: (claims: { sub: string; role: Role; areas?: string[] }, options?: { now?: Date; ttlSeconds?: number; audience?: string }) => Promise<string>, goodUser: string, careHome: string) {
  const { issueUpdateLink } = await import('#shared/services/auth/update-links');
  const { UPDATE_LINK_AUDIENCE, UPDATE_LINK_ISSUER } = await import('#shared/model/update-links');
  const now = Math.floor(Date.now() / 1000);
  const userClaims = { iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'fuzz-admin', 'cognito:groups': ['admin'], token_use: 'id', iat: now, exp: now + 3600 };
  const stranger = await createLocalIssuer();
  const otherKey = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(otherKey.publicKey);
  const signWith = (header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey | Uint8Array) =>
    new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
  const [headerPart, , signaturePart] = goodUser.split('.') as [string, string, string];
  const expiredLink = await issueUpdateLink(careHome, new Date(Date.now() - 80 * 3600_000));
  const entries: Array<[string, string]> = [
    ['expired', await sign({ sub: 'fuzz-admin', role: 'admin' }, { now: new Date(Date.now() - 2 * 86_400_000), ttlSeconds: 3600 })],
    ['expired by a second', await sign({ sub: 'fuzz-admin', role: 'admin' }, { now: new Date(Date.now() - 3_601_000), ttlSeconds: 3600 })],
    ['wrong audience', await sign({ sub: 'fuzz-admin', role: 'admin' }, { audience: 'someone-else' })],
    ['no role', await sign({ sub: 'fuzz-admin', role: 'superuser' as Role })],
    ['another key, same kid', await stranger.sign({ sub: 'fuzz-admin', role: 'admin' })],
    ['unknown kid', await signWith({ alg: 'RS256', kid: 'not-a-key', typ: 'JWT' }, userClaims, otherKey.privateKey)],
    ['embedded jwk', await signWith({ alg: 'RS256', jwk: publicJwk, typ: 'JWT' }, userClaims, otherKey.privateKey)],
    ['alg none', `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(userClaims)}.`],
    ['alg none with signature', `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(userClaims)}.${signaturePart}`],
    ['alg None', `${base64url({ alg: 'None', typ: 'JWT', kid: 'local-1' })}.${base64url(userClaims)}.`],
    ['HS256 keyed with the public key', await signWith({ alg: 'HS256', kid: 'local-1', typ: 'JWT' }, userClaims, new TextEncoder().encode(JSON.stringify(publicJwk)))],
    ['payload swapped under a kept signature', `${headerPart}.${base64url(userClaims)}.${signaturePart}`],
    ['crit header', `${base64url({ alg: 'RS256', kid: 'local-1', crit: ['exp'], exp: 1 })}.${base64url(userClaims)}.${signaturePart}`],
    ['b64 false', `${base64url({ alg: 'RS256', kid: 'local-1', crit: ['b64'], b64: false })}.${base64url(userClaims)}.${signaturePart}`],
    ['access token shape', `${headerPart}.${base64url({ ...userClaims, token_use: 'access' })}.${signaturePart}`],
    [
      'update link, wrong key',
      await signWith({ alg: 'HS256', typ: 'JWT' }, { iss: UPDATE_LINK_ISSUER, aud: UPDATE_LINK_AUDIENCE, sub: `location:${careHome}`, loc: careHome, jti: randomUUID(), iat: now, exp: now + 3600 }, randomBytes(48)),
    ],
    ['update link, expired', expiredLink.token],
    ['update link claims, RS256', `${headerPart}.${base64url({ iss: UPDATE_LINK_ISSUER, aud: UPDATE_LINK_AUDIENCE, loc: careHome, jti: 'x', iat: now, exp: now + 3600 })}.${signaturePart}`],
    ['update link, alg none', `${base64url({ alg: 'none' })}.${base64url({ iss: UPDATE_LINK_ISSUER, aud: UPDATE_LINK_AUDIENCE, loc: careHome, jti: 'x', iat: now, exp: now + 3600 })}.`],
    ['iss an object', `${headerPart}.${base64url({ ...userClaims, iss: { $ne: null } })}.${signaturePart}`],
    ['exp a string', `${headerPart}.${base64url({ ...userClaims, exp: '9999999999' })}.${signaturePart}`],
    ['exp 1e308', `${headerPart}.${base64url({ ...userClaims, exp: 1e308 })}.${signaturePart}`],
    ['payload an array', `${headerPart}.${base64url([1, 2])}.${signaturePart}`],
    ['payload not JSON', `${headerPart}.${base64url('not json')}.${signaturePart}`],
    ['header not JSON', `${base64url('{"alg":')}.${base64url(userClaims)}.${signaturePart}`],
    ['empty parts', '..'],
    ['e30 parts', 'e30.e30.e30'],
  ];
  return entries.map(([name, token]) => ({ name, token }));
}

/**
 * Start DynamoDB Local in memory (unless DYNAMODB_ENDPOINT names one already, as in the test run), make
 * this run's tables, start the gateway, and seed the world:
 * - `careHome` (active, in the commissioner's region, with one return, yesterday),
 * - `hospice` (active, in another region, no return), `inactive` (a closed care home, own region),
 * - `unknown`: a well-formed id that is in no table.
 * The provider user is a member (not a manager) of all three, and a user no request comes from has a request pending for
 * each active one, so no location can be registered (POST /v1/registrations always ends in 404/409): a
 * registration is never a write the fuzzer has to avoid.
 */
export async function startFuzzTarget(options: { log?: (line: string) => void } = {}): Promise<FuzzTarget> {
  const log = options.log ?? (() => undefined);
  const savedEnv = Object.fromEntries(TOUCHED_ENV.map((name) => [name, process.env[name]]));
  if (!process.env.DYNAMODB_ENDPOINT) log('starting DynamoDB Local (in memory)');
  const system = await startLocalSystem({
    ...(process.env.DYNAMODB_ENDPOINT ? { dynamodb: { endpoint: process.env.DYNAMODB_ENDPOINT } } : {}),
    tablePrefix: `fuzz-${randomBytes(4).toString('hex')}`,
    gateway: { port: 0, users: [] },
    // Valid export requests start jobs: the test run's S3 server (or one of its own) and the worker.
    s3: process.env.S3_ENDPOINT ? { endpoint: process.env.S3_ENDPOINT } : {},
    exportWorker: { deadLetterFile: join(mkdtempSync(join(tmpdir(), 'ct-fuzz-')), 'export-dead-letters.jsonl') },
  });
  const names = system.tables;
  const client = new DynamoDBClient({ endpoint: system.dynamodbEndpoint });
  const close = async () => {
    client.destroy();
    await system.stop();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  try {
    const { putLocations } = await import('#shared/repositories/locations');
    const { putMemberships } = await import('#shared/repositories/memberships');
    const { issueUpdateLink } = await import('#shared/services/auth/update-links');

    const issuer = system.issuer!;
    const port = Number(new URL(system.url!).port);

    const own = { localAuthority: 'E08000004', region: 'E12000002' };
    const other = { localAuthority: 'E06000045', region: 'E12000008' };
    const place = (id: string, overrides: Partial<Location>): Location => ({
      locationId: id,
      providerId: '1-900000001',
      name: 'Fuzz House',
      type: 'careHome',
      categories: ['residential', 'nursing'],
      registeredBeds: 60,
      ...own,
      active: true,
      lastUpdated: null,
      ...overrides,
    });
    const number = () => String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0');
    const ids = { careHome: `1-7${number()}`, hospice: `1-8${number()}`, inactive: `1-6${number()}`, unknown: `1-5${number()}` };
    await putLocations([
      place(ids.careHome, {}),
      place(ids.hospice, { type: 'hospice', categories: ['inpatient'], registeredBeds: 20, name: 'Fuzz Hospice', ...other }),
      place(ids.inactive, { active: false, name: 'Closed House' }),
    ]);
    const providerUser = PROVIDER_USER;
    await putMemberships(
      [ids.careHome, ids.hospice, ids.inactive].map((locationId) => ({ userId: providerUser, locationId, grantedAt: new Date().toISOString(), grantedBy: 'fuzz' })),
    );

    const { register } = await import('#shared/services/registrations/register');
    for (const locationId of [ids.careHome, ids.hospice]) await register(locationId, { kind: 'user', userId: 'fuzz-asker', role: 'provider', areas: [] }, new Date());

    const users: Record<Exclude<Caller, 'linkOwn' | 'linkOther'>, { sub: string; role: Role; areas?: string[] }> = {
      providerMember: { sub: providerUser, role: 'provider' },
      providerOther: { sub: 'fuzz-provider-elsewhere', role: 'provider' },
      discharge: { sub: 'fuzz-discharge', role: 'discharge' },
      commissionerOwn: { sub: 'fuzz-commissioner', role: 'commissioner', areas: [own.region] },
      national: { sub: 'fuzz-national', role: 'national' },
      admin: { sub: 'fuzz-admin', role: 'admin' },
    };
    const tokens = Object.fromEntries(await Promise.all(Object.entries(users).map(async ([caller, claims]) => [caller, await issuer.sign(claims)]))) as Record<Caller, string>;
    tokens.linkOwn = (await issueUpdateLink(ids.careHome)).token;
    tokens.linkOther = (await issueUpdateLink(ids.hospice)).token;

    // The one stored return: yesterday's, for the care home (confirm has something to repeat).
    const today = londonDay(new Date());
    const returnDay = addDays(today, -1);
    const seeded = await fetch(`http://127.0.0.1:${port}/v1/locations/${ids.careHome}/returns/${returnDay}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(designExample()),
    });
    if (seeded.status !== 201) throw new Error(`seeding the fuzz world: PUT answered ${seeded.status} ${await seeded.text()}`);

    const world: FuzzWorld = {
      today,
      returnDay,
      locations: ids,
      own,
      other,
      tokens,
      badTokens: await badTokens(issuer.sign, tokens.admin, ids.careHome),
    };
    log(`gateway on http://127.0.0.1:${port}, tables ${names.locations.replace(/-locations$/, '-*')}`);
    return {
      url: `http://127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      world,
      tables: names,
      snapshot: async () => Object.fromEntries(await Promise.all(Object.values(names).map(async (name) => [name, await scanTable(client, name)] as const))),
      close: () => close(),
    };
  } catch (error) {
    await close();
    throw error;
  }
}
