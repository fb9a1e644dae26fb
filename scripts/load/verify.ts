import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { areaKeyOf, areasOf } from '#shared/model/aggregates/areas';
import { contributionOf, type Contribution } from '#shared/model/aggregates/metrics';
import { aggregateKey, compareAggregates, recomputeAggregates, type StoredReturnItem } from '../oracle/recompute';
import type { TableId } from '#shared/model/tables';
import type { DayJournal, Journal } from './journal';
import { sleep } from './provider';
import { isLoadLocation } from './seed';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

type Item = Record<string, unknown>;
const dayKey = (item: Record<string, unknown>) => `${String(item.locationId)}#${String(item.reportDate)}`;

/** What a stored return says, without where it is kept: the fields an acknowledgement and both tables share. */
const RETURN_FIELDS = ['locationId', 'reportDate', 'version', 'submittedAt', 'submittedBy', 'schemaVersion', 'vacancies', 'beds', 'admissions', 'outbreak', 'workforce', 'ppe', 'visiting', 'notes', 'warnings', 'confirmedFrom'] as const;
const figures = (item: Item) => Object.fromEntries(RETURN_FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]));

/** A client of its own for reading and checking: never the handlers' one, which may have faults injected. */
export function checkingClient(endpoint: string): { db: DynamoDBDocumentClient; destroy(): void } {
  const client = new DynamoDBClient({ endpoint, maxAttempts: 10 });
  return { db: DynamoDBDocumentClient.from(client), destroy: () => client.destroy() };
}

/** A whole table, read in 4 parallel segments (a check may scan; the service never does). */
export async function scanTable(db: DynamoDBDocumentClient, table: string, filter?: { expression: string; values: Record<string, unknown> }): Promise<Item[]> {
  const segments = 4;
  const parts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: Item[] = [];
      let startKey: Item | undefined;
      do {
        const page = await db.send(
          new ScanCommand({
            TableName: table,
            ConsistentRead: true,
            Segment: segment,
            TotalSegments: segments,
            ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeValues: filter.values } : {}),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        items.push(...((page.Items ?? []) as Item[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    }),
  );
  return parts.flat();
}

const LOAD_PREFIX = { expression: 'begins_with(locationId, :prefix)', values: { ':prefix': '1-4' } };

/** The version each load location-day already had before this run (a second run against `npm start`'s stack). */
export async function baselineVersions(db: DynamoDBDocumentClient, tables: Record<TableId, string>): Promise<Map<string, number>> {
  const items = await scanTable(db, tables.returns, LOAD_PREFIX);
  return new Map(items.filter((item) => isLoadLocation(String(item.locationId))).map((item) => [dayKey(item), Number(item.version)]));
}

async function batchGet(db: DynamoDBDocumentClient, table: string, keys: Item[], projection?: string[]): Promise<Item[]> {
  const found: Item[] = [];
  const chunks: Item[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(4, chunks.length) }, async () => {
      while (next < chunks.length) {
        let request: Item[] | undefined = chunks[next++]!;
        for (let attempt = 0; request && request.length > 0; attempt += 1) {
          if (attempt > 0) await sleep(50 * 2 ** Math.min(attempt, 6));
          const names = projection ? Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])) : undefined;
          const result = await db.send(
            new BatchGetCommand({
              RequestItems: {
                [table]: { Keys: request, ConsistentRead: true, ...(names ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}) },
              },
            }),
          );
          found.push(...((result.Responses?.[table] ?? []) as Item[]));
          request = result.UnprocessedKeys?.[table]?.Keys as Item[] | undefined;
        }
      }
    }),
  );
  return found;
}

const dayKeys = (journal: Journal) => [...journal.days.values()].map((day) => ({ locationId: day.locationId, reportDate: day.reportDate }));

/**
 * Waits until the aggregator has applied the newest stored version of every location-day the load
 * wrote: its ledger (written in the same transaction as the aggregates) names that version. This works
 * from outside, whichever process runs the stream poller. Resolves with what is still behind (0 = caught up).
 */
export async function waitForAggregator(
  db: DynamoDBDocumentClient,
  tables: Record<TableId, string>,
  journal: Journal,
  timeoutMs: number,
  progress: (pending: number, total: number) => void,
  /** Give up early when nothing moved for this long (a batch dead-lettered: it will not come by itself). */
  stallMs = Number.POSITIVE_INFINITY,
): Promise<{ pending: number; seconds: number }> {
  const started = performance.now();
  const keys = dayKeys(journal);
  let best = Number.POSITIVE_INFINITY;
  let movedAt = performance.now();
  for (;;) {
    const [returns, ledgers] = await Promise.all([
      batchGet(db, tables.returns, keys, ['locationId', 'reportDate', 'version']),
      batchGet(db, tables.aggregateLedger, keys, ['locationId', 'reportDate', 'appliedVersion']),
    ]);
    const applied = new Map(ledgers.map((ledger) => [dayKey(ledger), Number(ledger.appliedVersion)]));
    const pending = returns.filter((item) => (applied.get(dayKey(item)) ?? 0) < Number(item.version)).length;
    progress(pending, returns.length);
    if (pending < best) {
      best = pending;
      movedAt = performance.now();
    }
    const seconds = (performance.now() - started) / 1000;
    if (pending === 0 || seconds * 1000 > timeoutMs || performance.now() - movedAt > stallMs) return { pending, seconds };
    await sleep(1_000);
  }
}

export function deadLetterCount(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

export interface VerifyInput {
  db: DynamoDBDocumentClient;
  tables: Record<TableId, string>;
  journal: Journal;
  baseline: ReadonlyMap<string, number>;
  /** True when faults were injected: 503s are then expected, and must be clear ones. */
  faulty: boolean;
  deadLettersBefore: number;
  deadLetterFile: string;
  aggregatorPending: number;
  /** Dead-lettered batches handed to the aggregator again (--self with faults), if any were. */
  redriven?: { batches: number; records: number; failed: number };
}

export interface VerifyFigures {
  locationDays: number;
  acknowledgedVersions: number;
  storedVersions: number;
  unacknowledgedStored: number;
  lostAnswers: number;
  areaDaysCompared: number;
  returnsSummed: number;
}

/** Every check of DESIGN §5 and §7 the load can make, against what the providers were told. */
export async function verifyRun(input: VerifyInput): Promise<{ checks: Check[]; figures: VerifyFigures }> {
  const { db, tables, journal, baseline } = input;
  const days = [...journal.days.values()];
  const touchedDays = new Set(days.map((day) => day.reportDate));

  const [versionItems, returnItems, ledgerItems] = await Promise.all([
    scanTable(db, tables.returnVersions, LOAD_PREFIX),
    scanTable(db, tables.returns),
    batchGet(db, tables.aggregateLedger, dayKeys(journal)),
  ]);
  const versionsByDay = new Map<string, Map<number, Item>>();
  for (const item of versionItems) {
    const key = dayKey(item);
    if (!journal.days.has(key)) continue;
    const versions = versionsByDay.get(key) ?? new Map<number, Item>();
    versions.set(Number(item.version), item);
    versionsByDay.set(key, versions);
  }
  const currentByDay = new Map(returnItems.filter((item) => journal.days.has(dayKey(item))).map((item) => [dayKey(item), item]));
  const ledgerByDay = new Map(ledgerItems.map((item) => [dayKey(item), item]));

  const problems = { stored: [] as string[], unacknowledged: [] as string[], current: [] as string[], ledger: [] as string[] };
  const note = (list: string[], line: string) => {
    if (list.length < 20) list.push(line);
  };
  let acknowledgedVersions = 0;
  let storedVersions = 0;
  let unacknowledgedStored = 0;
  let lostAnswers = 0;
  let failures = { stored: 0, unacknowledged: 0, current: 0, ledger: 0 };

  // A write lost near a kill of DynamoDB Local: the kill should have waited for it (outage-cut.ts).
  const beforeKill = (ack: DayJournal['acks'][number]) => {
    const kill = journal.outages.find((outage) => ack.at <= outage.startedAt && outage.startedAt - ack.at < 10_000);
    return kill ? ` (acknowledged ${kill.startedAt - ack.at} ms before DynamoDB Local was killed)` : '';
  };
  for (const day of days) {
    const key = `${day.locationId}#${day.reportDate}`;
    const base = baseline.get(key) ?? 0;
    const all = versionsByDay.get(key) ?? new Map<number, Item>();
    const mine = [...all.keys()].filter((version) => version > base).sort((a, b) => a - b);
    storedVersions += mine.length;
    lostAnswers += day.lostAnswers;
    const max = mine.at(-1) ?? base;

    // Acknowledged writes: each stored, as acknowledged, under a version of its own, in the order acknowledged.
    const acked = day.acks.map((ack) => ack.version);
    acknowledgedVersions += acked.length;
    const storedWrong = day.acks.filter((ack) => !all.has(ack.version) || !isDeepStrictEqual(figures(all.get(ack.version)!), figures(ack.stored)));
    const increasing = acked.every((version, i) => i === 0 || version > acked[i - 1]!);
    const contiguous = mine.every((version, i) => version === base + 1 + i);
    if (storedWrong.length > 0 || !increasing || !contiguous || new Set(acked).size !== acked.length) {
      failures.stored += 1;
      note(problems.stored, `${key}: acknowledged ${acked.join(',') || 'none'}, stored ${mine.join(',') || 'none'} (after ${base})${storedWrong.length ? `, ${storedWrong.map((ack) => `${ack.version} not stored as acknowledged${beforeKill(ack)}`).join(', ')}` : ''}`);
    }
    // Versions nobody was told about: only where an answer was lost (the write may have happened).
    const unacked = mine.filter((version) => !acked.includes(version)).length;
    unacknowledgedStored += unacked;
    if (unacked > day.lostAnswers) {
      failures.unacknowledged += 1;
      note(problems.unacknowledged, `${key}: ${unacked} version(s) stored that were never acknowledged, with ${day.lostAnswers} lost answer(s)`);
    }
    // The returns table: the newest version, as stored in returnVersions; the last acknowledged unless a lost one came after.
    const current = currentByDay.get(key);
    const lastAck = acked.at(-1);
    const currentOk =
      mine.length === 0
        ? base === 0
          ? current === undefined
          : Number(current?.version) === base
        : current !== undefined && Number(current.version) === max && isDeepStrictEqual(figures(current), figures(all.get(max)!)) && (lastAck === max || day.lostAnswers > 0);
    if (!currentOk) {
      failures.current += 1;
      note(problems.current, `${key}: returns holds version ${String(current?.version)}, newest stored ${max}, last acknowledged ${String(lastAck)}`);
    }
    // The aggregator's ledger: the newest version applied, with exactly that version's contribution.
    if (current) {
      const ledger = ledgerByDay.get(key);
      if (!ledger || Number(ledger.appliedVersion) !== Number(current.version) || !isDeepStrictEqual(ledger.contribution, contributionOf(current as unknown as StoredReturnItem))) {
        failures.ledger += 1;
        note(problems.ledger, `${key}: ledger has version ${String(ledger?.appliedVersion)}, returns ${String(current.version)}`);
      }
    }
  }

  // The aggregates of every area and day the load wrote to, against straight sums of every stored return.
  const touchedAreaDays = new Set<string>();
  for (const day of days) {
    const place = currentByDay.get(`${day.locationId}#${day.reportDate}`);
    if (!place) continue;
    for (const ref of areasOf({ localAuthority: String(place.localAuthority), region: String(place.region) })) touchedAreaDays.add(aggregateKey(areaKeyOf(ref), day.reportDate));
  }
  const summed = returnItems.filter((item) => touchedDays.has(String(item.reportDate))) as unknown as StoredReturnItem[];
  const expected = recomputeAggregates(summed);
  const aggregateItems = await batchGet(
    db,
    tables.aggregates,
    [...touchedAreaDays].map((key) => {
      const [areaKey, date] = key.split('|');
      return { areaKey, date };
    }),
  );
  const actual = new Map(aggregateItems.map((item) => [aggregateKey(String(item.areaKey), String(item.date)), item as Partial<Contribution>]));
  const differences = compareAggregates(expected, actual, (key) => touchedAreaDays.has(key));

  const deadLettersAfter = deadLetterCount(input.deadLetterFile);
  const status5xx = journal.serverErrors.total;
  const checks: Check[] = [
    {
      name: 'every acknowledged write is stored exactly once, as acknowledged',
      ok: failures.stored === 0,
      detail:
        failures.stored === 0
          ? `${acknowledgedVersions} acknowledged writes over ${days.length} location-days: each in returnVersions under its own version, versions contiguous`
          : `${failures.stored} location-day(s) wrong: ${problems.stored.join('; ')}`,
    },
    {
      name: 'no version stored that was not acknowledged, except where an answer was lost',
      ok: failures.unacknowledged === 0,
      detail:
        failures.unacknowledged === 0
          ? `${unacknowledgedStored} unacknowledged version(s) stored, within the ${lostAnswers} answer(s) lost`
          : `${failures.unacknowledged} location-day(s): ${problems.unacknowledged.join('; ')}`,
    },
    {
      name: 'the returns table holds the newest version of each location-day',
      ok: failures.current === 0,
      detail: failures.current === 0 ? `${days.length} location-days: the last acknowledged version, or a later one whose answer was lost` : `${failures.current} wrong: ${problems.current.join('; ')}`,
    },
    {
      name: 'the aggregator applied the newest version of each location-day once (its ledger)',
      ok: failures.ledger === 0 && input.aggregatorPending === 0,
      detail:
        failures.ledger === 0 && input.aggregatorPending === 0
          ? `${currentByDay.size} ledger entries at the stored version, with that version's contribution`
          : `${input.aggregatorPending} still behind when the wait ended; ${failures.ledger} wrong: ${problems.ledger.join('; ')}`,
    },
    {
      name: 'the aggregates equal a recomputation from the stored returns',
      ok: differences.length === 0 && touchedAreaDays.size > 0,
      detail:
        differences.length === 0
          ? `${touchedAreaDays.size} area-days (local authority, region, England) equal the sums of the ${summed.length} stored returns of their days`
          : `${differences.length} difference(s): ${differences
              .slice(0, 10)
              .map((d) => `${d.key} ${d.metric}: ${String(d.actual)}, should be ${d.expected}`)
              .join('; ')}`,
    },
    input.faulty
      ? {
          name: 'every 5xx was a 503 problem+json with Retry-After',
          ok: status5xx === journal.serverErrors.clear503,
          detail: `${status5xx} 5xx, ${journal.serverErrors.clear503} of them clear 503s`,
        }
      : { name: 'zero 5xx', ok: status5xx === 0, detail: `${status5xx} 5xx` },
    {
      name: 'no unexpected answers (4xx to valid requests, 500s, replays that differ)',
      ok: journal.unexpected.length === 0 && journal.replays.mismatched.length === 0,
      detail:
        journal.unexpected.length === 0 && journal.replays.mismatched.length === 0
          ? `${journal.replays.matched} of ${journal.replays.sent} deliberate Idempotency-Key replays answered with the stored response (the rest lost on the way)`
          : [...journal.unexpected.slice(0, 5), ...journal.replays.mismatched.slice(0, 5)].join('; '),
    },
    { name: 'no request hung (every one answered or refused within 35 s)', ok: journal.clientTimeouts === 0, detail: `${journal.clientTimeouts} client timeout(s)` },
    input.faulty
      ? {
          // Lambda semantics: after maximumRetryAttempts a batch goes to the on-failure destination, and an
          // outage longer than the retries lasts sends some there; recovery is to redrive them.
          name: 'nothing dead-lettered by the stream poller, or every dead-lettered batch redriven',
          ok: deadLettersAfter === input.deadLettersBefore || (input.redriven !== undefined && input.redriven.batches === deadLettersAfter - input.deadLettersBefore && input.redriven.failed === 0),
          detail:
            deadLettersAfter === input.deadLettersBefore
              ? 'no batch given up on'
              : `${deadLettersAfter - input.deadLettersBefore} batch(es) given up on after the retries and written to the dead-letter file; ${input.redriven ? `${input.redriven.batches} redriven (${input.redriven.records} records, ${input.redriven.failed} still failing)` : 'not redriven'}`,
        }
      : {
          name: 'nothing dead-lettered by the stream poller',
          ok: deadLettersAfter === input.deadLettersBefore,
          detail: deadLettersAfter === input.deadLettersBefore ? 'no batch given up on' : `${deadLettersAfter - input.deadLettersBefore} batch(es) written to ${input.deadLetterFile}`,
        },
  ];
  return {
    checks,
    figures: { locationDays: days.length, acknowledgedVersions, storedVersions, unacknowledgedStored, lostAnswers, areaDaysCompared: touchedAreaDays.size, returnsSummed: summed.length },
  };
}

export type { DayJournal };
