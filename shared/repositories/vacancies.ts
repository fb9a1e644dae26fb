import { GetCommand, TransactWriteCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { vacancyEntries, type VacancyEntry } from '#shared/model/vacancies/entries';
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
export function replaceEntriesRequest(item: ReturnItem, previous: Manifest | undefined, table = TABLE()): TransactWriteCommandInput {
  const entries = vacancyEntries(item);
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

const sameEntries = (manifest: Manifest, item: ReturnItem) => {
  const keysOf = (entries: ReadonlyArray<{ searchKey: string; freshKey: string }>) => entries.map(({ searchKey, freshKey }) => `${searchKey}|${freshKey}`).sort().join(',');
  return keysOf(manifest.entries) === keysOf(vacancyEntries(item));
};

/** Index a location's newest return; returns false when what is indexed is already as new or newer. */
export async function indexVacancies(item: ReturnItem): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.vacancyManifest(item.locationId), ConsistentRead: true }));
    const previous = Item as Manifest | undefined;
    if (previous && (previous.reportDate > item.reportDate || (previous.reportDate === item.reportDate && previous.version > item.version))) return false;
    // The same version again: a redelivery, which changes nothing, unless the location has moved area since
    // (the area migration rewrites the place of its returns), when its entries move with it.
    if (previous && previous.reportDate === item.reportDate && previous.version === item.version && sameEntries(previous, item)) return false;
    try {
      await dynamo.send(new TransactWriteCommand(replaceEntriesRequest(item, previous)));
      return true;
    } catch (error) {
      // Another consumer moved the manifest between our read and write: read it again.
      if ((error as Error).name !== 'TransactionCanceledException' || attempt >= 5) throw error;
    }
  }
}

export interface VacancySearch {
  area: string;
  category: string;
  sex?: 'male' | 'female';
  admittingOnly: boolean;
  /** Entries of locations that reported at or after this instant. */
  updatedSince: string;
  limit: number;
  nextToken?: string;
}

/** Named access pattern "locations with a vacancy in an area and category, freshest first". */
export function searchVacanciesRequest(search: VacancySearch, table = TABLE()): QueryCommandInput {
  const searchKey = keys.vacancySearch(search.area, search.category);
  const startKey = decodePageToken(search.nextToken, ['searchKey', 'freshKey']);
  if (startKey && startKey.searchKey !== searchKey) throw invalidPageToken();
  requireStartKeyWithin(startKey, 'freshKey', { from: search.updatedSince });
  const filters = [
    ...(search.sex === 'male' ? ['forMale > :none'] : search.sex === 'female' ? ['forFemale > :none'] : []),
    ...(search.admittingOnly ? ['admissionsStatus <> :closed'] : []),
  ];
  return {
    TableName: table,
    KeyConditionExpression: 'searchKey = :key AND freshKey >= :since',
    ExpressionAttributeValues: {
      ':key': searchKey,
      ':since': search.updatedSince,
      ...(search.sex ? { ':none': 0 } : {}),
      ...(search.admittingOnly ? { ':closed': 'closed' } : {}),
    },
    ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
    ScanIndexForward: false,
    Limit: search.limit,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

export async function searchVacancies(search: VacancySearch): Promise<{ items: VacancyEntry[]; nextToken: string | null }> {
  const page = await queryPage(searchVacanciesRequest(search));
  return { items: (page.Items ?? []) as VacancyEntry[], nextToken: encodePageToken(page.LastEvaluatedKey) };
}
