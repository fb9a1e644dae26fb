import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { StoredReturn } from '#shared/model/schemas/return';
import { toReturnItem, type ReturnPlace } from '#shared/model/returns/return-item';
import { copiesAfter, RETURN_COPIES_KEPT, type ReturnCopies } from '#shared/model/returns/return-copies';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

// Only the write path needs these three tables; readers import repositories/returns alone.
const TABLES = { get returns() { return tableName('returns'); }, get returnVersions() { return tableName('returnVersions'); }, get locations() { return tableName('locations'); } };

/**
 * What the write knows of the location, and what it insists has not changed since it read it.
 * `newestReportDate` is the location's newest report date as read (`recorded` says whether the item
 * carries it yet; older items do not). `returnWrites`, when given, makes the write fail if any other
 * return of the location was written after that read: a confirm repeats what it read, so it must not
 * land after a newer write.
 */
export interface LocationGuard {
  newestReportDate: string | undefined;
  recorded: boolean;
  returnWrites?: number;
  /**
   * The copies of the location's two newest returns as read (from the item, or from the returns table
   * for an item that does not keep them yet): given, the write keeps them (`copiesAfter`), and then
   * `returnWrites` must be given too, so that no other write can have moved them meanwhile.
   */
  copies?: ReturnCopies;
}

/** Only a return for the newest report date, or a later one, is an update: correcting an old day is not. */
export function isNewestReport(reportDate: string, newestReportDate: string | undefined): boolean {
  return newestReportDate === undefined || reportDate >= newestReportDate;
}

/** What moves a location item: the newest report date of what is written, when it was written, and how many returns. */
interface LocationWrite {
  reportDate: string;
  submittedAt: string;
  /** The new versions written: the copies move with them. */
  written: readonly StoredReturn[];
  /** Returns written: the write count moves by this, so a confirm that read the location before any of them fails. */
  count: number;
}

function locationUpdate(write: LocationWrite, guard: LocationGuard) {
  const newest = isNewestReport(write.reportDate, guard.newestReportDate);
  const values: Record<string, unknown> = { ':writes': write.count };
  const sets: string[] = [];
  const removes: string[] = [];
  const conditions = ['attribute_exists(locationId)'];
  if (newest) {
    sets.push('lastUpdated = :at', 'freshness = :at', 'newestReportDate = :date');
    Object.assign(values, { ':at': write.submittedAt, ':date': write.reportDate });
  } else if (!guard.recorded) {
    // An item from before newestReportDate was kept learns it now, from what the writer looked up.
    sets.push('newestReportDate = :newest');
    values[':newest'] = guard.newestReportDate;
  }
  if (guard.copies) {
    if (guard.returnWrites === undefined) throw new Error('copies kept without the write count that guards them');
    const next = copiesAfter(guard.copies, write.written);
    sets.push('latestReturn = :latest', `${RETURN_COPIES_KEPT} = :kept`);
    Object.assign(values, { ':latest': next.latest, ':kept': true });
    if (next.prior) {
      sets.push('priorReturn = :prior');
      values[':prior'] = next.prior;
    } else removes.push('priorReturn');
  }
  // The newest date decided what is set; if another writer moved it meanwhile, the write fails and is retried.
  if (!guard.recorded) conditions.push('attribute_not_exists(newestReportDate)');
  else {
    conditions.push(newest ? 'newestReportDate <= :date' : 'newestReportDate > :date');
    values[':date'] = write.reportDate;
  }
  if (guard.returnWrites === 0) conditions.push('attribute_not_exists(returnWrites)');
  else if (guard.returnWrites !== undefined) {
    conditions.push('returnWrites = :seenWrites');
    values[':seenWrites'] = guard.returnWrites;
  }
  return {
    UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}${removes.length ? `REMOVE ${removes.join(', ')} ` : ''}ADD returnWrites :writes`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeValues: values,
  };
}

/** A new version of one day's return, and the version it replaces (undefined: the day has none yet). */
export interface ReturnWrite {
  stored: StoredReturn;
  replacesVersion: number | undefined;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A day's two parts: its current return (conditional on the version it replaces, so two writers cannot
 * both win) and the immutable version record.
 */
function returnParts({ stored, replacesVersion }: ReturnWrite, place: ReturnPlace, tables: typeof TABLES): [TransactItem, TransactItem] {
  return [
    {
      Put: {
        TableName: tables.returns,
        Item: toReturnItem(stored, place),
        ...(replacesVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(locationId)' }
          : { ConditionExpression: 'version = :replaces', ExpressionAttributeValues: { ':replaces': replacesVersion } }),
      },
    },
    {
      Put: {
        TableName: tables.returnVersions,
        Item: { ...stored, ...keys.returnVersion(stored.locationId, stored.reportDate, stored.version) },
        ConditionExpression: 'attribute_not_exists(locationId)',
      },
    },
  ];
}

/**
 * One atomic write of a new version: the day's current return (conditional on the version it replaces,
 * so two writers cannot both win), the immutable version record, and the location's freshness (moved
 * only by the newest report date) and write count.
 */
export function writeReturnRequest(
  stored: StoredReturn,
  place: ReturnPlace,
  replacesVersion: number | undefined,
  guard: LocationGuard,
  tables = TABLES,
): TransactWriteCommandInput {
  return writeLocationReturnsRequest([{ stored, replacesVersion }], place, guard, tables);
}

/**
 * Named write "several days of one location at once" (the bulk upload; a PUT is the one-day case): for
 * each day its current return and version record (the i-th day's at parts 2i and 2i+1), then
 * the location's one update, last (a transaction may touch an item only once), as the days written one
 * after another would leave it: freshness moved to the newest day's submittedAt only if that day is on
 * or after the newest report date, and the write count moved by the number of days. All land or none.
 * A location has at most 8 open days, so at most 17 of the transaction's 100 items.
 */
export function writeLocationReturnsRequest(writes: readonly ReturnWrite[], place: ReturnPlace, guard: LocationGuard, tables = TABLES): TransactWriteCommandInput {
  const [first, ...rest] = writes;
  if (!first) throw new Error('a write of no returns');
  if (rest.some(({ stored }) => stored.locationId !== first.stored.locationId)) throw new Error('returns of more than one location in one write');
  const newest = rest.reduce((latest, { stored }) => (stored.reportDate > latest.reportDate ? stored : latest), first.stored);
  return {
    TransactItems: [
      ...writes.flatMap((write) => returnParts(write, place, tables)),
      {
        Update: {
          TableName: tables.locations,
          Key: keys.location(first.stored.locationId),
          ...locationUpdate({ reportDate: newest.reportDate, submittedAt: newest.submittedAt, written: writes.map(({ stored }) => stored), count: writes.length }, guard),
        },
      },
    ],
  };
}

export const WRITE_PART = { currentReturn: 0, version: 1, location: 2 } as const;

export async function writeReturn(stored: StoredReturn, place: ReturnPlace, replacesVersion: number | undefined, guard: LocationGuard): Promise<void> {
  await dynamo.send(new TransactWriteCommand(writeReturnRequest(stored, place, replacesVersion, guard)));
}

export async function writeLocationReturns(writes: readonly ReturnWrite[], place: ReturnPlace, guard: LocationGuard): Promise<void> {
  await dynamo.send(new TransactWriteCommand(writeLocationReturnsRequest(writes, place, guard)));
}
