import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Location } from '#shared/model/schemas/location';
import type { TableId } from '#shared/model/tables';

/** The load's own locations: IDs no demo, test or bench location uses (`1-4` and 8 digits). */
export const loadLocationId = (index: number) => `1-4${String(index).padStart(8, '0')}`;
export const isLoadLocation = (locationId: string) => /^1-4\d{8}$/.test(locationId);
export const providerUserId = (index: number) => `load-provider-${String(index).padStart(4, '0')}`;

/** 27 local authorities over the 9 regions, so the aggregates spread as they would over England. */
const AREAS = Array.from({ length: 27 }, (_, index) => ({
  localAuthority: `E0${6 + (index % 4)}000${String(100 + index).padStart(3, '0')}`,
  region: `E1200000${1 + (index % 9)}`,
}));

export function loadLocation(index: number): Location {
  const area = AREAS[index % AREAS.length]!;
  // One in ten is a hospice (inpatient beds), the rest care homes.
  const hospice = index % 10 === 9;
  return {
    locationId: loadLocationId(index),
    providerId: `1-3${String(Math.floor(index / 5)).padStart(8, '0')}`,
    name: `Load Test ${hospice ? 'Hospice' : 'House'} ${index}`,
    type: hospice ? 'hospice' : 'careHome',
    categories: hospice ? ['inpatient'] : ['residential', 'nursing'],
    registeredBeds: 40,
    localAuthority: area.localAuthority,
    region: area.region,
    active: true,
    lastUpdated: null,
  };
}

/** Provider p acts for every location whose index is p modulo the number of providers. */
export function locationsOf(provider: number, providers: number, locations: number): number[] {
  const indexes: number[] = [];
  for (let index = provider; index < locations; index += providers) indexes.push(index);
  return indexes;
}

export interface SeedReport {
  locationsWritten: number;
  membershipsWritten: number;
  seconds: number;
}

type Progress = (label: string, done: number, total: number) => void;

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Which of these keys have no item yet (BatchGet, 100 at a time, keys only). */
async function missing(db: DynamoDBDocumentClient, table: string, keys: Record<string, string>[], keyNames: string[], progress: (done: number) => void): Promise<Set<string>> {
  const id = (key: Record<string, unknown>) => keyNames.map((name) => String(key[name])).join('#');
  const absent = new Set(keys.map(id));
  let done = 0;
  await inParallel(chunks(keys, 100), 4, async (chunk) => {
    let request: Record<string, unknown>[] | undefined = chunk;
    for (let attempt = 0; request && request.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
      const result = await db.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: request, ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '), ExpressionAttributeNames: Object.fromEntries(keyNames.map((name, i) => [`#k${i}`, name])) } },
        }),
      );
      for (const item of result.Responses?.[table] ?? []) absent.delete(id(item));
      request = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
    }
    done += chunk.length;
    progress(done);
  });
  return absent;
}

async function writeAll(db: DynamoDBDocumentClient, table: string, items: readonly Record<string, unknown>[], progress: (done: number) => void): Promise<void> {
  let done = 0;
  await inParallel(chunks(items, 25), 6, async (chunk) => {
    let requests: Record<string, unknown>[] | undefined = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests && requests.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 6)));
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = result.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
    }
    done += chunk.length;
    progress(done);
  });
}

/**
 * The load's locations in the directory and its providers' memberships, written only where missing, so
 * a second run against the same stack starts at once. Its own client: the handlers' client may have
 * faults injected into it.
 */
export async function seedLoad(endpoint: string, tables: Record<TableId, string>, providers: number, locations: number, progress: Progress): Promise<SeedReport> {
  const started = performance.now();
  const { toLocationItem } = await import('#shared/repositories/locations');
  const client = new DynamoDBClient({ endpoint, maxAttempts: 10 });
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  try {
    const all = Array.from({ length: locations }, (_, index) => index);
    const absentLocations = await missing(db, tables.locations, all.map((index) => ({ locationId: loadLocationId(index) })), ['locationId'], (done) => progress('checking locations', done, locations));
    const toWrite = all.filter((index) => absentLocations.has(loadLocationId(index)));
    if (toWrite.length > 0) {
      await writeAll(db, tables.locations, toWrite.map((index) => toLocationItem(loadLocation(index)) as Record<string, unknown>), (done) => progress('seeding locations', done, toWrite.length));
    }
    const memberships = Array.from({ length: providers }, (_, provider) => locationsOf(provider, providers, locations).map((index) => ({ userId: providerUserId(provider), locationId: loadLocationId(index) }))).flat();
    const absentMemberships = await missing(db, tables.memberships, memberships, ['userId', 'locationId'], (done) => progress('checking memberships', done, memberships.length));
    const grants = memberships
      .filter((membership) => absentMemberships.has(`${membership.userId}#${membership.locationId}`))
      .map((membership) => ({ ...membership, grantedAt: new Date().toISOString(), grantedBy: 'load-test' }));
    if (grants.length > 0) await writeAll(db, tables.memberships, grants, (done) => progress('seeding memberships', done, grants.length));
    return { locationsWritten: toWrite.length, membershipsWritten: grants.length, seconds: (performance.now() - started) / 1000 };
  } finally {
    client.destroy();
  }
}
