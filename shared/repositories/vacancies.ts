import { GetCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { KeyRange } from '#shared/model/vacancies/geo';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { ANY_CATEGORY, entryFor, vacancyEntries, type LocationPlace, type VacancyEntry, type VacancyIndexEntry } from '#shared/model/vacancies/entries';
import { decodePageToken, encodePageToken, invalidPageToken, requireStartKeyWithin } from '#shared/repositories/pagination';
import { queryPage } from '#shared/repositories/paged-query';

/** Read at first use (settings are never read when a module loads). */
const TABLE = () => tableName('vacancyIndex');

interface Manifest {
  reportDate: string;
  version: number;
  entries: Array<{ searchKey: string; freshKey: string }>;
}

/**
 * Replace a location's entries with those of a newer return, in one transaction: the manifest moves
 * only forward (a newer day, or a newer version of the same day), so a late or repeated delivery of an
 * older return changes nothing.
 */
export function replaceEntriesRequest(item: ReturnItem, previous: Manifest | undefined, place: LocationPlace = {}, table = TABLE()): TransactWriteCommandInput {
  const entries = vacancyEntries(item, place);
  const keep = new Set(entries.map((entry) => `${entry.searchKey}|${entry.freshKey}`));
  const stale = (previous?.entries ?? []).filter((key) => !keep.has(`${key.searchKey}|${key.freshKey}`));
  const manifest = keys.vacancyManifest(item.locationId);
  return {
    TransactItems: [
      {
        Put: {
          TableName: table,
          Item: { ...manifest, reportDate: item.reportDate, version: item.version, entries: entries.map(({ searchKey, freshKey }) => ({ searchKey, freshKey })) },
          ConditionExpression: previous
            ? 'reportDate = :seenDate AND version = :seenVersion'
            : 'attribute_not_exists(searchKey)',
          ...(previous ? { ExpressionAttributeValues: { ':seenDate': previous.reportDate, ':seenVersion': previous.version } } : {}),
        },
      },
      ...stale.map((key) => ({ Delete: { TableName: table, Key: key } })),
      ...entries.map((entry) => ({ Put: { TableName: table, Item: entry } })),
    ],
  };
}

const sameEntries = (manifest: Manifest, item: ReturnItem, place: LocationPlace) => {
  const keysOf = (entries: ReadonlyArray<{ searchKey: string; freshKey: string }>) => entries.map(({ searchKey, freshKey }) => `${searchKey}|${freshKey}`).sort().join(',');
  return keysOf(manifest.entries) === keysOf(vacancyEntries(item, place));
};

/**
 * Index a location's newest return, with where the location is (`place`, from its directory entry);
 * returns false when what is indexed is already as new or newer.
 */
export async function indexVacancies(item: ReturnItem, place: LocationPlace = {}): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.vacancyManifest(item.locationId), ConsistentRead: true }));
    const previous = Item as Manifest | undefined;
    if (previous && (previous.reportDate > item.reportDate || (previous.reportDate === item.reportDate && previous.version > item.version))) return false;
    // The same version again: a redelivery, which changes nothing, unless the location has moved since
    // (the area migration rewrites the place of its returns; the directory learns its coordinates), when its entries move with it.
    if (previous && previous.reportDate === item.reportDate && previous.version === item.version && sameEntries(previous, item, place)) return false;
    try {
      await dynamo.send(new TransactWriteCommand(replaceEntriesRequest(item, previous, place)));
      return true;
    } catch (error) {
      // Another consumer moved the manifest between our read and write: read it again.
      if ((error as Error).name !== 'TransactionCanceledException' || attempt >= 5) throw error;
    }
  }
}

/** Whether a partition of the index holds any entry (one read of at most one item). */
export async function hasEntriesUnder(searchKey: string): Promise<boolean> {
  const page = await dynamo.send(new QueryCommand({ TableName: TABLE(), KeyConditionExpression: 'searchKey = :key', ExpressionAttributeValues: { ':key': searchKey }, Limit: 1 }));
  return (page.Items?.length ?? 0) > 0;
}

/** What every search may narrow by, besides where. */
export interface VacancyFilters {
  category: string;
  sex?: 'male' | 'female' | undefined;
  /** Only locations open to admissions (not restricted, not closed). */
  admittingOnly: boolean;
  type?: string | undefined;
  /** Entries of locations that reported at or after this instant. */
  updatedSince: string;
  /** Only locations in one of these areas (their council or region): a commissioner's, or the area asked for. */
  areas?: readonly string[] | undefined;
}

export interface VacancySearch extends VacancyFilters {
  area: string;
  limit: number;
  nextToken?: string;
}

/**
 * The filter part of a search's Query; `freshInKey`: the freshness is in the key condition already. An
 * entry holds every category the location has a vacancy in (`byCategory`): a category other than `any`
 * keeps the entries that have it (every entry has `any`).
 */
function filterOf(filters: VacancyFilters, freshInKey: boolean): { FilterExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  const parts: string[] = [];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  const category = filters.category === ANY_CATEGORY ? undefined : filters.category;
  if (category !== undefined || filters.sex) Object.assign(names, { '#byCategory': 'byCategory', '#category': filters.category });
  if (category !== undefined && !filters.sex) parts.push('attribute_exists(#byCategory.#category)');
  if (filters.sex) {
    // Absent for a category the location has no vacancy in, so the comparison keeps only those it has.
    parts.push(filters.sex === 'male' ? '#byCategory.#category.forMale > :none' : '#byCategory.#category.forFemale > :none');
    values[':none'] = 0;
  }
  if (filters.admittingOnly) {
    parts.push('admissionsStatus = :open');
    values[':open'] = 'open';
  }
  if (filters.type) {
    parts.push('#type = :type');
    names['#type'] = 'type';
    values[':type'] = filters.type;
  }
  if (!freshInKey) {
    parts.push('lastUpdated >= :since');
    values[':since'] = filters.updatedSince;
  }
  if (filters.areas && filters.areas.length > 0) {
    const list = filters.areas.map((area, index) => {
      values[`:area${index}`] = area;
      return `:area${index}`;
    });
    parts.push(`(localAuthority IN (${list.join(', ')}) OR #region IN (${list.join(', ')}))`);
    names['#region'] = 'region';
  }
  return {
    ...(parts.length > 0 ? { FilterExpression: parts.join(' AND ') } : {}),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

/** How many entries a Query reads for a page of `limit` when a filter may drop some: fewer round trips for a rare category. */
const FILTERED_READ_FACTOR = 4;
const MAX_QUERY_LIMIT = 1000;

/** Named access pattern "locations with a vacancy in an area and category, freshest first". */
export function searchVacanciesRequest(search: VacancySearch, table = TABLE()): QueryCommandInput {
  const searchKey = keys.vacancySearch(search.area);
  const startKey = decodePageToken(search.nextToken, ['searchKey', 'freshKey']);
  if (startKey && startKey.searchKey !== searchKey) throw invalidPageToken();
  requireStartKeyWithin(startKey, 'freshKey', { from: search.updatedSince });
  const filter = filterOf(search, true);
  return {
    TableName: table,
    KeyConditionExpression: 'searchKey = :key AND freshKey >= :since',
    ...filter,
    ExpressionAttributeValues: { ':key': searchKey, ':since': search.updatedSince, ...filter.ExpressionAttributeValues },
    ScanIndexForward: false,
    // Every entry has `any`: a page of them is a page of results, unless another filter drops some.
    Limit: filter.FilterExpression ? Math.min(MAX_QUERY_LIMIT, search.limit * FILTERED_READ_FACTOR) : search.limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/**
 * A full page: a filter can leave a Query's page short or empty while more lie beyond it, so Query on
 * until the page is full or the range ends; the token then points after the last entry returned.
 */
export async function searchVacancies(search: VacancySearch): Promise<{ items: VacancyEntry[]; nextToken: string | null; read: number }> {
  const items: VacancyEntry[] = [];
  let read = 0;
  let token = search.nextToken;
  for (;;) {
    const page = await queryPage(searchVacanciesRequest({ ...search, limit: search.limit, ...(token !== undefined ? { nextToken: token } : {}) }));
    read += page.ScannedCount ?? page.Items?.length ?? 0;
    for (const item of (page.Items ?? []) as VacancyIndexEntry[]) {
      const entry = entryFor(item, search.category);
      if (!entry) continue;
      items.push(entry);
      if (items.length === search.limit) {
        const more = item !== page.Items![page.Items!.length - 1] || page.LastEvaluatedKey !== undefined;
        return { items, nextToken: more ? encodePageToken({ searchKey: item.searchKey, freshKey: item.freshKey }) : null, read };
      }
    }
    if (!page.LastEvaluatedKey) return { items, nextToken: null, read };
    token = encodePageToken(page.LastEvaluatedKey) ?? undefined;
  }
}

/** Named access pattern "entries of one key range of a near search" (shared/model/vacancies/geo.ts `ringRanges`) that pass the filters. */
export function nearRangeRequest(range: KeyRange, filters: VacancyFilters, startKey?: Record<string, unknown>, table = TABLE()): QueryCommandInput {
  const filter = filterOf(filters, false);
  return {
    TableName: table,
    KeyConditionExpression: 'searchKey = :key AND freshKey BETWEEN :from AND :to',
    ...filter,
    ExpressionAttributeValues: { ':key': keys.nearSearch(range.row), ':from': range.from, ':to': range.to, ...filter.ExpressionAttributeValues },
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Every entry of one key range of a near search that passes the filters, and how many were read. */
export async function nearRangeEntries(range: KeyRange, filters: VacancyFilters): Promise<{ items: VacancyEntry[]; read: number }> {
  const items: VacancyEntry[] = [];
  let read = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand(nearRangeRequest(range, filters, startKey)));
    read += page.ScannedCount ?? 0;
    for (const item of (page.Items ?? []) as VacancyIndexEntry[]) {
      const entry = entryFor(item, filters.category);
      if (entry) items.push(entry);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { items, read };
}
