import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanAll as scanTable } from '../helpers/scan';
import { ensureTables, exportTableNames, localTableNames } from '#scripts/local/local-tables';
import type { DirectoryEntry } from '#shared/model/schemas/location';

/**
 * `npm run migrate:members` on memberships written before members could be managers: no `manager` flag,
 * locations without counts (or with counts a later change added to from nothing). Afterwards every
 * location's counts are exact, every team with members has a manager (its earliest-granted member,
 * audited), memberships of a location the directory lacks are reported and left alone, and a second run
 * changes nothing. A member change between the migration's read and its write makes the location
 * "raced", written by neither half, and a rerun finishes it. Tables of its own: the migration scans
 * every membership, and must neither see nor touch other files' members.
 */
const tables = localTableNames(`mem${process.pid}${Date.now() % 100000}`);
const savedEnv = { ...process.env };
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const scanAll = (table: string) => scanTable(client, table);

const entry = (index: number): DirectoryEntry => ({
  locationId: `1-8${String(index).padStart(8, '0')}`,
  providerId: '1-800000000',
  name: `Team Place ${index}`,
  type: 'careHome',
  categories: ['residential'],
  registeredBeds: 30,
  localAuthority: 'E06000026',
  region: 'E12000009',
  active: true,
  lastUpdated: null,
});
const LEGACY = entry(1); // three members, no flags, no counts
const SINGLE = entry(2); // one member, no flag, no counts
const MANAGED = entry(3); // a manager already, counts wrong
const EMPTIED = entry(4); // its legacy member removed since: a count of -1 and no membership
const EXACT = entry(5); // written by this version: nothing to do
const RACED = entry(6); // the race case, written later
const ORPHAN = '1-899999999'; // memberships, no directory entry

const membership = (userId: string, locationId: string, grantedAt: string, extra: Record<string, unknown> = {}) => ({
  userId,
  locationId,
  grantedAt,
  grantedBy: 'admin',
  ...extra,
});

async function putItems(table: string, items: readonly Record<string, unknown>[]): Promise<void> {
  for (const item of items) await client.send(new PutItemCommand({ TableName: table, Item: marshall(item, { removeUndefinedValues: true }) }));
}

async function setCounts(locationId: string, counts: { members: number; managers?: number }): Promise<void> {
  const names = Object.keys(counts);
  await client.send(
    new UpdateItemCommand({
      TableName: tables.locations,
      Key: marshall({ locationId }),
      UpdateExpression: `SET ${names.map((name) => `${name} = :${name}`).join(', ')}`,
      ExpressionAttributeValues: marshall(Object.fromEntries(names.map((name) => [`:${name}`, counts[name as keyof typeof counts]]))),
    }),
  );
}

async function countsOf(locationId: string): Promise<{ members: unknown; managers: unknown }> {
  const item = (await scanAll(tables.locations)).find((location) => location.locationId === locationId);
  return { members: item?.members, managers: item?.managers };
}

const membershipsOf = async (locationId: string) => (await scanAll(tables.memberships)).filter((item) => item.locationId === locationId);
const managersOf = async (locationId: string) => (await membershipsOf(locationId)).filter((item) => item.manager === true).map((item) => item.userId);
const migrationAudit = async () => (await scanAll(tables.audit)).filter((item) => item.actor === 'migrate:members');

let modules: {
  migrateMembers: typeof import('#shared/services/people/migrate-members').migrateMembers;
  readLocationMembers: typeof import('#shared/services/people/migrate-members').readLocationMembers;
  migrateLocation: typeof import('#shared/services/people/migrate-members').migrateLocation;
  applyMemberChange: typeof import('#shared/repositories/location-members').applyMemberChange;
};

beforeAll(async () => {
  exportTableNames(tables);
  await ensureTables(client, tables);
  const { putLocations } = await import('#shared/repositories/locations');
  const migration = await import('#shared/services/people/migrate-members');
  modules = {
    migrateMembers: migration.migrateMembers,
    readLocationMembers: migration.readLocationMembers,
    migrateLocation: migration.migrateLocation,
    applyMemberChange: (await import('#shared/repositories/location-members')).applyMemberChange,
  };
  // Written the old way: directory entries without counts, memberships without flags.
  await putLocations([LEGACY, SINGLE, MANAGED, EMPTIED, EXACT]);
  await putItems(tables.memberships, [
    // The earliest grant is neither the first user ID nor the first written; one grant has no milliseconds.
    membership('user-c', LEGACY.locationId, '2025-03-01T09:00:00.000Z'),
    membership('user-a', LEGACY.locationId, '2025-03-01T10:00:00Z'),
    membership('user-b', LEGACY.locationId, '2025-02-28T17:30:00.500Z', { registrationId: 'reg-1' }),
    membership('user-d', SINGLE.locationId, '2025-01-10T08:00:00.000Z'),
    membership('user-e', MANAGED.locationId, '2025-04-01T08:00:00.000Z'),
    membership('user-f', MANAGED.locationId, '2025-05-01T08:00:00.000Z', { manager: true }),
    membership('user-g', EXACT.locationId, '2025-06-01T08:00:00.000Z', { manager: true }),
    membership('user-h', ORPHAN, '2025-01-01T08:00:00.000Z'),
    membership('user-i', ORPHAN, '2025-01-02T08:00:00.000Z'),
  ]);
  await setCounts(MANAGED.locationId, { members: 5, managers: 0 });
  await setCounts(EMPTIED.locationId, { members: -1 });
  await setCounts(EXACT.locationId, { members: 1, managers: 1 });
}, 60_000);

afterAll(() => {
  process.env = savedEnv;
  client.destroy();
});

describe('npm run migrate:members on memberships written before there were managers', () => {
  test('exact counts, the earliest-granted member made manager and audited, the orphan reported', async () => {
    const at = new Date('2026-12-10T12:00:00.000Z');
    const progress: number[] = [];
    const summary = await modules.migrateMembers({ now: () => at, onProgress: ({ locationsChecked }) => progress.push(locationsChecked) });
    expect(summary).toEqual({
      locations: 6,
      countsFixed: 4,
      managersMade: 2,
      raced: [],
      orphans: [{ locationId: ORPHAN, memberships: 2 }],
    });
    expect(progress.at(-1)).toBe(6);

    expect(await countsOf(LEGACY.locationId)).toEqual({ members: 3, managers: 1 });
    expect(await countsOf(SINGLE.locationId)).toEqual({ members: 1, managers: 1 });
    expect(await countsOf(MANAGED.locationId)).toEqual({ members: 2, managers: 1 });
    expect(await countsOf(EMPTIED.locationId)).toEqual({ members: 0, managers: 0 });
    expect(await countsOf(EXACT.locationId)).toEqual({ members: 1, managers: 1 });

    // The earliest grant, by instant: user-b (28 February), not user-a or user-c.
    expect(await managersOf(LEGACY.locationId)).toEqual(['user-b']);
    expect(await managersOf(SINGLE.locationId)).toEqual(['user-d']);
    // A team with a manager keeps exactly its managers: no one else is promoted.
    expect(await managersOf(MANAGED.locationId)).toEqual(['user-f']);
    // The orphan's memberships are left as they were, and nothing is written for it in the directory.
    expect((await membershipsOf(ORPHAN)).map((item) => item.manager)).toEqual([undefined, undefined]);
    expect((await scanAll(tables.locations)).some((item) => item.locationId === ORPHAN)).toBe(false);

    const audit = await migrationAudit();
    expect(audit.map((item) => item.subject).sort()).toEqual([`location#${LEGACY.locationId}`, `location#${SINGLE.locationId}`]);
    const legacyEntry = audit.find((item) => item.subject === `location#${LEGACY.locationId}`);
    expect(legacyEntry).toMatchObject({
      actor: 'migrate:members',
      action: 'member.change',
      at: at.toISOString(),
      before: { userId: 'user-b', locationId: LEGACY.locationId, grantedAt: '2025-02-28T17:30:00.500Z', grantedBy: 'admin', registrationId: 'reg-1' },
      after: { userId: 'user-b', locationId: LEGACY.locationId, grantedAt: '2025-02-28T17:30:00.500Z', grantedBy: 'admin', registrationId: 'reg-1', manager: true },
    });
    expect((legacyEntry?.before as Record<string, unknown>).manager).toBeUndefined();
  });

  test('a second run changes nothing and says so', async () => {
    const locationsBefore = await scanAll(tables.locations);
    const membershipsBefore = await scanAll(tables.memberships);
    const auditBefore = await scanAll(tables.audit);
    const summary = await modules.migrateMembers();
    // The emptied location keeps counts of zero now: with no membership either, there is nothing to check.
    expect(summary).toEqual({ locations: 5, countsFixed: 0, managersMade: 0, raced: [], orphans: [{ locationId: ORPHAN, memberships: 2 }] });
    expect(await scanAll(tables.locations)).toEqual(locationsBefore);
    expect(await scanAll(tables.memberships)).toEqual(membershipsBefore);
    expect(await scanAll(tables.audit)).toEqual(auditBefore);
  });

  test('a member change between the read and the write: raced, nothing written; a rerun finishes it', async () => {
    const { putLocations } = await import('#shared/repositories/locations');
    await putLocations([RACED]);
    await putItems(tables.memberships, [membership('user-j', RACED.locationId, '2025-07-01T08:00:00.000Z'), membership('user-k', RACED.locationId, '2025-07-02T08:00:00.000Z')]);

    // The migration reads the location (no counts, two members, no manager) ...
    const stale = await modules.readLocationMembers(RACED.locationId);
    expect(stale).toMatchObject({ counts: { members: undefined, managers: undefined } });
    expect(stale.memberships).toHaveLength(2);
    // ... then an admin adds a member through the member routes' transaction: a count appears.
    const now = new Date('2026-12-10T13:00:00.000Z');
    const added = { userId: 'user-l', locationId: RACED.locationId, grantedAt: now.toISOString(), grantedBy: 'admin', manager: false };
    expect(await modules.applyMemberChange({ kind: 'add', membership: added }, { actor: 'admin', action: 'member.add', subject: `location#${RACED.locationId}`, before: null, after: added }, now)).toBeUndefined();
    expect(await countsOf(RACED.locationId)).toEqual({ members: 1, managers: undefined });

    // Writing from the stale read is refused as a whole: no counts, no manager, no audit entry.
    expect(await modules.migrateLocation(stale, now)).toEqual({ kind: 'raced' });
    expect(await countsOf(RACED.locationId)).toEqual({ members: 1, managers: undefined });
    expect(await managersOf(RACED.locationId)).toEqual([]);
    expect((await migrationAudit()).filter((item) => item.subject === `location#${RACED.locationId}`)).toEqual([]);

    // The same with counts present: one read, then another change (a member made manager) moves them.
    const staleAgain = await modules.readLocationMembers(RACED.locationId);
    const before = (await membershipsOf(RACED.locationId)).find((item) => item.userId === 'user-k') as { userId: string; locationId: string; grantedAt: string; grantedBy: string };
    const promoted = { ...before, manager: true };
    expect(await modules.applyMemberChange({ kind: 'setManager', before, manager: true }, { actor: 'admin', action: 'member.change', subject: `location#${RACED.locationId}`, before, after: promoted }, now)).toBeUndefined();
    expect(await modules.migrateLocation(staleAgain, now)).toEqual({ kind: 'raced' });
    expect(await countsOf(RACED.locationId)).toEqual({ members: 1, managers: 1 });

    // A rerun reads afresh: three members, user-k the manager already, so only the counts change.
    expect(await modules.migrateMembers({ now: () => now })).toEqual({ locations: 6, countsFixed: 1, managersMade: 0, raced: [], orphans: [{ locationId: ORPHAN, memberships: 2 }] });
    expect(await countsOf(RACED.locationId)).toEqual({ members: 3, managers: 1 });
    expect(await managersOf(RACED.locationId)).toEqual(['user-k']);
    expect(await modules.migrateMembers()).toMatchObject({ countsFixed: 0, managersMade: 0, raced: [] });
  });

  test('a manager-to-be leaving between the read and the write: raced; a rerun makes the earliest member left manager', async () => {
    const late = entry(7);
    const { putLocations } = await import('#shared/repositories/locations');
    await putLocations([late]);
    await putItems(tables.memberships, [membership('user-m', late.locationId, '2025-08-02T08:00:00.000Z'), membership('user-n', late.locationId, '2025-08-01T08:00:00.000Z')]);
    const stale = await modules.readLocationMembers(late.locationId);
    // user-n leaves (a legacy member: no flag) before the migration writes: its manager-to-be is gone.
    const leaving = (await membershipsOf(late.locationId)).find((item) => item.userId === 'user-n') as { userId: string; locationId: string; grantedAt: string; grantedBy: string };
    expect(await modules.applyMemberChange({ kind: 'remove', before: leaving }, { actor: 'admin', action: 'member.remove', subject: `location#${late.locationId}`, before: leaving, after: null }, new Date())).toBeUndefined();
    expect(await modules.migrateLocation(stale, new Date())).toEqual({ kind: 'raced' });
    expect(await managersOf(late.locationId)).toEqual([]);

    const summary = await modules.migrateMembers();
    expect(summary).toMatchObject({ countsFixed: 1, managersMade: 1, raced: [] });
    expect(await countsOf(late.locationId)).toEqual({ members: 1, managers: 1 });
    expect(await managersOf(late.locationId)).toEqual(['user-m']);
    expect(await modules.migrateMembers()).toMatchObject({ countsFixed: 0, managersMade: 0, raced: [] });
  });
});
