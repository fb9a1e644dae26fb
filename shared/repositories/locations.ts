import { GetCommand, UpdateCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { areaLevelOf, ENGLAND, TWO_TIER_DISTRICT_PATTERN } from '#shared/model/schemas/common';
import { Location, type DirectoryEntry, type LocationType } from '#shared/model/schemas/location';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { batchPut } from '#shared/repositories/batch-write';
import { batchGetKeys } from '#shared/repositories/batch-get';
import { isConditionFailed } from '#shared/repositories/transactions';
import { toStoredReturn } from '#shared/model/returns/return-item';
import type { StoredReturn } from '#shared/model/schemas/return';
import { RETURN_COPIES_KEPT, type PriorReturn, type ReturnCopies } from '#shared/model/returns/return-copies';
import { decodePageToken, encodePageToken, invalidPageToken } from '#shared/repositories/pagination';

/** Read at first use (settings are never read when a module loads). */
const TABLE = () => tableName('locations');

/** A location as stored: the API shape plus the index keys that place it in area listings. */
export type LocationItem = Omit<Location, 'lastUpdated'> & {
  lastUpdated?: string;
  /** The newest report date any return of this location has: only a return for it or later is an update. */
  newestReportDate?: string;
  /** How many returns have been written for this location: a confirm is conditional on it not moving. */
  returnWrites?: number;
  listingKey: string;
  country: string;
  freshness: string;
  activeLocalAuthority?: string;
  activeRegion?: string;
  activeCountry?: string;
};


export function toLocationItem(location: DirectoryEntry): LocationItem {
  const { lastUpdated, ...rest } = location;
  return {
    ...rest,
    ...(lastUpdated ? { lastUpdated } : {}),
    listingKey: keys.listingKey(location.type, location.locationId),
    country: keys.country(),
    freshness: keys.freshness(lastUpdated),
    // Only active locations are expected to report, so only they enter the sparse active* indexes.
    ...(location.active
      ? { activeLocalAuthority: location.localAuthority, activeRegion: location.region, activeCountry: keys.country() }
      : {}),
  };
}

/** Back to the API shape: zod drops the index keys and anything else the item carries. */
export function fromLocationItem(item: Record<string, unknown>): Location {
  const stored = typeof item.localAuthority === 'string' ? item.localAuthority : '';
  // Placed before the council became the local-authority level (a district, E07): still readable, as it
  // was stored, until `npm run migrate:areas` moves it to its council.
  if (TWO_TIER_DISTRICT_PATTERN.test(stored)) return { ...Location.parse({ ...item, lastUpdated: item.lastUpdated ?? null, localAuthority: LEGACY_PLACEHOLDER }), localAuthority: stored };
  return Location.parse({ ...item, lastUpdated: item.lastUpdated ?? null });
}
/** Stands in for a legacy district code while the rest of the item is checked. */
const LEGACY_PLACEHOLDER = 'E10000000';

const AREA_INDEX = {
  localAuthority: { indexName: 'listingByLocalAuthority', attribute: 'localAuthority' },
  region: { indexName: 'listingByRegion', attribute: 'region' },
  england: { indexName: 'listingByCountry', attribute: 'country' },
} as const;

export interface LocationListRequest {
  area?: string;
  type?: LocationType;
  limit: number;
  nextToken?: string;
}

/**
 * Named access pattern "locations in an area (optionally of a type)": one Query of the area's listing
 * index, which holds keys only (a save writes none of it); `listingPage` then reads the page's items.
 */
export function listLocationsRequest(request: LocationListRequest, table = TABLE()): QueryCommandInput {
  const level = areaLevelOf(request.area ?? ENGLAND) ?? 'england';
  const index = AREA_INDEX[level];
  const area = request.area ?? ENGLAND;
  const startKey = decodePageToken(request.nextToken, ['locationId', index.attribute, 'listingKey']);
  // A token from another area or type would make DynamoDB refuse the start key (a 500); it is the caller's 400.
  if (startKey && (startKey[index.attribute] !== area || (request.type && !String(startKey.listingKey).startsWith(keys.listingPrefix(request.type))))) {
    throw invalidPageToken();
  }
  return {
    TableName: table,
    IndexName: index.indexName,
    KeyConditionExpression: request.type ? '#area = :area AND begins_with(listingKey, :prefix)' : '#area = :area',
    ExpressionAttributeNames: { '#area': index.attribute },
    ExpressionAttributeValues: {
      ':area': area,
      ...(request.type ? { ':prefix': keys.listingPrefix(request.type) } : {}),
    },
    Limit: request.limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** What the write path needs to know about a location before it writes one of its returns. */
export interface LocationForWrite {
  location: Location;
  newestReportDate: string | undefined;
  returnWrites: number;
  /** The copies of its two newest returns, when its writes keep them (an item no write has touched since does not). */
  copies: ReturnCopies | undefined;
}

/** A strongly consistent read: whatever a confirm reads after this is at least as new. */
export async function getLocationForWrite(locationId: string): Promise<LocationForWrite | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.location(locationId), ConsistentRead: true }));
  return Item ? locationForWriteOf(Item) : undefined;
}

/** A location item as the write path needs it (read by `getLocationForWrite`, or in a batch with the caller's membership). */
export function locationForWriteOf(item: Record<string, unknown>): LocationForWrite {
  return {
    location: fromLocationItem(item),
    newestReportDate: typeof item.newestReportDate === 'string' ? item.newestReportDate : undefined,
    returnWrites: typeof item.returnWrites === 'number' ? item.returnWrites : 0,
    copies: returnCopiesOf(item),
  };
}

/** The copies a location item keeps, if its writes keep them (`RETURN_COPIES_KEPT`). */
function returnCopiesOf(item: Record<string, unknown>): ReturnCopies | undefined {
  if (item[RETURN_COPIES_KEPT] !== true) return undefined;
  const prior = item.priorReturn as PriorReturn | undefined;
  return {
    ...(item.latestReturn ? { latest: toStoredReturn(item.latestReturn as Record<string, unknown>) } : {}),
    ...(prior ? { prior: { reportDate: String(prior.reportDate), version: Number(prior.version), beds: prior.beds } } : {}),
  };
}

export async function getLocation(locationId: string): Promise<Location | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.location(locationId) }));
  return Item ? fromLocationItem(Item) : undefined;
}

/** Location items by ID, as stored, in the order asked (unknown IDs left out); a page's requests side by side. */
async function locationItems(locationIds: readonly string[]): Promise<Record<string, unknown>[]> {
  const items = await batchGetKeys(TABLE(), locationIds.map((id) => keys.location(id)), {}, { sideBySide: true });
  const found = new Map(items.map((item) => [String(item.locationId), item]));
  return locationIds.flatMap((id) => {
    const item = found.get(id);
    return item ? [item] : [];
  });
}

/**
 * A page of an area's listing: the Query of the keys-only index, then the page's items from the table
 * (in the index's order). An item the index still lists but the table no longer has is left out.
 */
async function listingPage(request: LocationListRequest): Promise<{ items: Record<string, unknown>[]; nextToken: string | null }> {
  const page = await dynamo.send(new QueryCommand(listLocationsRequest(request)));
  const items = await locationItems((page.Items ?? []).map((entry) => String(entry.locationId)));
  return { items, nextToken: encodePageToken(page.LastEvaluatedKey) };
}

export async function listLocations(request: LocationListRequest): Promise<{ items: Location[]; nextToken: string | null }> {
  const page = await listingPage(request);
  return { items: page.items.map(fromLocationItem), nextToken: page.nextToken };
}

/** Several locations by ID, in the order asked; unknown IDs are left out. */
export async function getLocations(locationIds: readonly string[]): Promise<Location[]> {
  if (locationIds.length === 0) return [];
  return (await locationItems(locationIds)).map(fromLocationItem);
}

/**
 * Change what the CQC directory says about a location (name, type, beds, area, active...) and the index
 * keys that follow from it, leaving what the running system owns (lastUpdated, freshness, the latest
 * return, the contact address) untouched, even if a return arrives meanwhile.
 */
export async function updateDirectoryFields(location: Location): Promise<void> {
  // A paused location stays out of the active indexes until it is resumed: first try as if it were not
  // paused (the usual case), and if it is, write the same without the active keys.
  try {
    await dynamo.send(new UpdateCommand(directoryFieldsUpdate(location, true)));
  } catch (error) {
    if (!isConditionFailed(error) || !location.active) throw error;
    await dynamo.send(new UpdateCommand(directoryFieldsUpdate(location, false)));
  }
}

/** The optional fields the CQC directory owns. */
const OPTIONAL_DIRECTORY_FIELDS = ['address', 'postcode', 'phone', 'latitude', 'longitude', 'district'] as const;

function directoryFieldsUpdate(location: Location, activeIndexes: boolean) {
  const item = toLocationItem(location);
  const fields = ['providerId', 'name', 'type', 'categories', 'registeredBeds', 'localAuthority', 'region', 'active', 'listingKey', 'country'] as const;
  const active = location.active && activeIndexes ? (['activeLocalAuthority', 'activeRegion', 'activeCountry'] as const) : [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  // Optional fields the directory owns: set when the record has them, removed when it no longer does.
  const optional = OPTIONAL_DIRECTORY_FIELDS.filter((field) => location[field] !== undefined);
  const absent = OPTIONAL_DIRECTORY_FIELDS.filter((field) => location[field] === undefined);
  const sets = [...fields, ...active, ...optional].map((field) => {
    names[`#${field}`] = field;
    values[`:${field}`] = item[field as keyof LocationItem];
    return `#${field} = :${field}`;
  });
  // Inactive locations leave the sparse active indexes: no reminders, not expected to report.
  const removes = [...(location.active ? [] : ['activeLocalAuthority', 'activeRegion', 'activeCountry']), ...absent];
  return {
    TableName: TABLE(),
    Key: keys.location(location.locationId),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: location.active && activeIndexes ? 'attribute_exists(locationId) AND attribute_not_exists(pause)' : 'attribute_exists(locationId)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Upsert many locations (seed and directory import). */
export async function putLocations(locations: readonly DirectoryEntry[]): Promise<void> {
  await batchPut(TABLE(), locations.map(toLocationItem));
}

/** Named access pattern "every location with the copy of its latest return", a page at a time (the national export). */
export async function listLocationsWithLatestReturn(nextToken: string | undefined, area?: string): Promise<{ items: Array<{ location: Location; latest: StoredReturn | undefined }>; nextToken: string | null }> {
  const page = await listingPage({ limit: 1000, ...(area ? { area } : {}), ...(nextToken ? { nextToken } : {}) });
  return {
    items: page.items.map((item) => ({
      location: fromLocationItem(item),
      latest: item.latestReturn ? toStoredReturn(item.latestReturn as Record<string, unknown>) : undefined,
    })),
    nextToken: page.nextToken,
  };
}

/** A page of the directory (an area's, or England's) with each location's member count and the address the directory holds for it. */
export async function listLocationsWithCounts(request: LocationListRequest): Promise<{ items: Array<{ location: Location; members: number; contactEmail?: string }>; nextToken: string | null }> {
  const page = await listingPage(request);
  return {
    items: page.items.map((item) => ({
      location: fromLocationItem(item),
      members: Number(item.members ?? 0),
      ...(typeof item.contactEmail === 'string' ? { contactEmail: item.contactEmail } : {}),
    })),
    nextToken: page.nextToken,
  };
}

/** The reminder address the directory holds for a location (the demo seed's), if any. */
export async function directoryContactEmail(locationId: string): Promise<string | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.location(locationId), ProjectionExpression: 'contactEmail' }));
  return typeof Item?.contactEmail === 'string' ? Item.contactEmail : undefined;
}
