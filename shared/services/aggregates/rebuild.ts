/**
 * `npm run aggregates:rebuild`: bring the aggregates of a range of days (in England, a region or a
 * council) up to the stored returns after the stream lost some (a dead-lettered batch, records past their
 * age), and check each area-day against its ledger.
 *
 * (a) Each day's returns are read with one paginated Query of the byDay index (a prefix of its sort key
 *     for a region or a council), their ledger entries with them; every location-day whose ledger has not
 *     seen its current version goes through `applyReturns`, the aggregator's own path: only newer versions,
 *     in transactions conditional on the ledger read. So it is idempotent, and safe while the aggregator
 *     runs (whichever writes a ledger first, the other re-reads it and finds nothing or less to do). Each
 *     location's newest return read also goes through it once more at the end, which brings its
 *     latest-return copy and vacancy search entries forward if the lost records had not.
 * (b) Every ledger transaction moves an aggregate by exactly what it changes in the ledger, so for each
 *     area-day (aggregate − sum of its ledger entries) never changes, and is 0 unless an aggregate item
 *     was damaged or lost outside the ledger. Each area-day wholly inside the area is read before and
 *     after the day's ledger entries: one that did not move meanwhile is judged, one that did is left
 *     (unsettled) for a quieter run. With `repair`, a mismatch that reads the same after a pause is set to
 *     its ledger's sums, on condition that it still holds the figures read.
 */
import { areaKeyOf, areasOf, type AreaRef } from '#shared/model/aggregates/areas';
import { METRICS, zeroContribution, type Contribution, type Metric } from '#shared/model/aggregates/metrics';
import { keys } from '#shared/model/keys';
import { addDays, londonDay, MAX_DAYS_BACK } from '#shared/model/returns/report-date';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { areaLevelOf, ENGLAND, type AreaLevel } from '#shared/model/schemas/common';
import { countActive } from '#shared/repositories/activity';
import { getLedgerEntries, type AggregateItem, type LedgerEntry } from '#shared/repositories/aggregates';
import { dayAggregateAreas, getAggregateItems, repairAggregate } from '#shared/repositories/aggregates-check';
import { listAreas } from '#shared/repositories/areas';
import { returnsOfDay } from '#shared/repositories/returns-by-day';
import { applyReturns } from '#shared/services/aggregates/apply';
import { daysBetween } from '#shared/services/aggregates/area-days';

// ---------------------------------------------------------------------------------------------------
// Planning (pure)

/** Where a rebuild reads and what it may judge. */
export interface RebuildScope {
  /** The area asked for: England, a region or a local authority. */
  ref: AreaRef;
  /** Its returns in the byDay index: a prefix of `region#localAuthority#locationId` ('' for England). */
  prefix: string;
  /** A local authority's region. */
  region?: string;
  /**
   * An area-day is wholly inside when every return it counts is read: in a region, the region and its
   * councils; in a council, the council alone (its region and England count others too).
   */
  covers(ref: AreaRef, region: string | undefined): boolean;
}

/** The scope of `area` (default England); a council's region comes from the areas table's councils. */
export function rebuildScope(area: string | undefined, authorities: ReadonlyArray<{ code: string; parent?: string }>): RebuildScope {
  const code = area ?? ENGLAND;
  const level: AreaLevel | undefined = areaLevelOf(code);
  if (level === 'england') return { ref: { level, area: code }, prefix: '', covers: () => true };
  if (level === 'region') {
    return {
      ref: { level, area: code },
      prefix: keys.returnPlacePrefix(code),
      covers: (ref, region) => (ref.level === 'region' && ref.area === code) || (ref.level === 'localAuthority' && region === code),
    };
  }
  if (level === 'localAuthority') {
    const region = authorities.find((authority) => authority.code === code)?.parent;
    if (!region) {
      throw new Error(`The areas table does not place ${code} in a region, so its returns cannot be found by place: run npm run import:cqc (which writes the areas), or rebuild its region`);
    }
    return {
      ref: { level, area: code },
      prefix: keys.returnPlacePrefix(region, code),
      region,
      covers: (ref) => ref.level === 'localAuthority' && ref.area === code,
    };
  }
  throw new Error(`${JSON.stringify(code)} is not England (${ENGLAND}), a region (E12…) or a local authority (E06, E08, E09, E10)`);
}

/** An aggregate's figures, every metric (a figure written before it existed reads as 0). */
export function figuresOf(item: Partial<Contribution> | undefined): Contribution {
  const figures = zeroContribution();
  for (const metric of METRICS) figures[metric] = Number(item?.[metric] ?? 0);
  return figures;
}

/** One area-day's ledger sums, with the region a local authority is in. */
export interface AreaDaySum {
  ref: AreaRef;
  region?: string;
  sum: Contribution;
}

/** Add a ledger entry to the sums of the area-days it counts in that `covers` keeps, keyed `level#area`. */
export function addLedgerEntry(sums: Map<string, AreaDaySum>, entry: LedgerEntry, covers: (ref: AreaRef, region: string | undefined) => boolean): void {
  const contribution = figuresOf(entry.contribution);
  for (const ref of areasOf(entry)) {
    const region = ref.level === 'localAuthority' ? entry.region : undefined;
    if (!covers(ref, region)) continue;
    const key = areaKeyOf(ref);
    const found = sums.get(key) ?? { ref, ...(region ? { region } : {}), sum: zeroContribution() };
    for (const metric of METRICS) found.sum[metric] += contribution[metric];
    sums.set(key, found);
  }
}

export interface MetricDifference {
  metric: Metric;
  aggregate: number;
  ledger: number;
}

export interface Mismatch {
  ref: AreaRef;
  region?: string;
  date: string;
  /** The aggregate item's figures; undefined when there is no item. */
  aggregate: Contribution | undefined;
  ledger: Contribution;
  differences: MetricDifference[];
}

/** What was read of one area-day: the item before and after its ledger entries were read, and their sums. */
export interface AreaDayReading {
  ref: AreaRef;
  region?: string;
  date: string;
  /** Whether it was read before the ledger entries (its item was known then); `before` is that read. */
  readBefore: boolean;
  before?: Partial<Contribution> | undefined;
  after?: Partial<Contribution> | undefined;
  sum?: Contribution | undefined;
}

export type Judgement = { kind: 'empty' } | { kind: 'unsettled'; ref: AreaRef } | { kind: 'match' } | { kind: 'mismatch'; mismatch: Mismatch };

const sameFigures = (a: Partial<Contribution> | undefined, b: Partial<Contribution> | undefined) =>
  (a === undefined) === (b === undefined) && METRICS.every((metric) => Number(a?.[metric] ?? 0) === Number(b?.[metric] ?? 0));

/**
 * Whether an area-day's aggregate is the sum of its ledger entries. Judged only if it did not move while
 * they were read (the same figures before and after; or no item after, for one not known before): then
 * no ledger transaction touched it meanwhile, and the two reads describe one moment.
 */
export function judgeAreaDay(reading: AreaDayReading): Judgement {
  const settled = reading.readBefore ? sameFigures(reading.before, reading.after) : reading.after === undefined;
  if (!settled) return { kind: 'unsettled', ref: reading.ref };
  if (reading.after === undefined && reading.sum === undefined) return { kind: 'empty' };
  const aggregate = figuresOf(reading.after);
  const ledger = reading.sum ?? zeroContribution();
  const differences = METRICS.filter((metric) => aggregate[metric] !== ledger[metric]).map((metric) => ({ metric, aggregate: aggregate[metric], ledger: ledger[metric] }));
  if (differences.length === 0) return { kind: 'match' };
  return {
    kind: 'mismatch',
    mismatch: { ref: reading.ref, ...(reading.region ? { region: reading.region } : {}), date: reading.date, aggregate: reading.after === undefined ? undefined : aggregate, ledger, differences },
  };
}

/** Two readings of one mismatch agree when aggregate − ledger is the same (it is constant under the ledger's transactions). */
export function sameDifference(a: Mismatch, b: Mismatch): boolean {
  const gap = (m: Mismatch) => METRICS.map((metric) => (m.aggregate?.[metric] ?? 0) - m.ledger[metric]);
  return (a.aggregate === undefined) === (b.aggregate === undefined) && gap(a).every((value, index) => value === gap(b)[index]);
}

/** The newest of two returns of a location (by day, then version). */
export function newerReturn(a: ReturnItem | undefined, b: ReturnItem): ReturnItem {
  if (!a) return b;
  return b.reportDate > a.reportDate || (b.reportDate === a.reportDate && b.version > a.version) ? b : a;
}

// ---------------------------------------------------------------------------------------------------
// The window of a dead-letter file (pure)

/** The days and area a dead-letter file's batches may have left short. */
export interface DeadLetterWindow {
  from: string;
  to: string;
  /** One council or region if every record names it, else England. */
  area: string;
  batches: number;
  /** Records in the local file's batches (AWS's messages name only their sequence numbers). */
  records: number;
  /** From the records' own report dates (the local file) rather than arrival times (AWS's messages). */
  exact: boolean;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOf = (image: unknown, name: string): string | undefined => {
  const value = isObject(image) ? image[name] : undefined;
  return isObject(value) && typeof value.S === 'string' ? value.S : undefined;
};

/** Every batch a text holds: JSON Lines, a JSON array, one object, or `aws sqs receive-message` output. */
function batchesOf(text: string): Json[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  let values: unknown[];
  try {
    const whole: unknown = JSON.parse(trimmed);
    values = Array.isArray(whole) ? whole : [whole];
  } catch {
    values = trimmed.split('\n').filter((line) => line.trim()).map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new Error(`line ${index + 1} is not JSON`);
      }
    });
  }
  return values.flatMap((value): Json[] => {
    if (!isObject(value)) throw new Error('a dead letter is not a JSON object');
    // `aws sqs receive-message` output: each message's Body is the on-failure record, as JSON text.
    if (Array.isArray(value.Messages)) return value.Messages.flatMap((message) => (isObject(message) && typeof message.Body === 'string' ? batchesOf(message.Body) : []));
    if (typeof value.Body === 'string') return batchesOf(value.Body);
    return [value];
  });
}

/**
 * The report dates a dead-letter file's batches may have left short. The local poller's lines hold the
 * records: their report dates and places, exactly. Lambda's on-failure records (in AWS) name only the
 * shard, sequence numbers and arrival times (`DDBStreamBatchInfo`); a return for day D is written on D
 * up to D + 7 (the date window), so those give arrival day − 7 to arrival day, in all of England.
 */
export function deadLetterWindow(texts: string | readonly string[]): DeadLetterWindow {
  const batches = (typeof texts === 'string' ? [texts] : texts).flatMap(batchesOf);
  if (batches.length === 0) throw new Error('no dead letters in it');
  const dates: string[] = [];
  const places = new Set<string>();
  let records = 0;
  let exact = true;
  for (const batch of batches) {
    if (Array.isArray(batch.records)) {
      for (const record of batch.records) {
        const stream = isObject(record) ? record.dynamodb : undefined;
        const image = isObject(stream) ? (stream.NewImage ?? stream.OldImage) : undefined;
        const reportDate = stringOf(image, 'reportDate') ?? stringOf(isObject(stream) ? stream.Keys : undefined, 'reportDate');
        if (!reportDate) throw new Error('a dead-lettered record has no reportDate');
        records += 1;
        dates.push(reportDate);
        places.add(`${stringOf(image, 'region') ?? '?'}#${stringOf(image, 'localAuthority') ?? '?'}`);
      }
      continue;
    }
    const info = batch.DDBStreamBatchInfo;
    if (isObject(info)) {
      exact = false;
      for (const name of ['approximateArrivalOfFirstRecord', 'approximateArrivalOfLastRecord']) {
        const at = new Date(String(info[name]));
        if (Number.isNaN(at.getTime())) throw new Error(`DDBStreamBatchInfo.${name} is not a time`);
        const day = londonDay(at);
        dates.push(name === 'approximateArrivalOfFirstRecord' ? addDays(day, -MAX_DAYS_BACK) : day);
      }
      continue;
    }
    throw new Error('a dead letter is neither a batch of the local poller (records) nor a Lambda on-failure record (DDBStreamBatchInfo)');
  }
  dates.sort();
  let area = ENGLAND;
  if (exact && places.size > 0 && ![...places].some((place) => place.includes('?'))) {
    const regions = new Set([...places].map((place) => place.split('#')[0]!));
    const authorities = new Set([...places].map((place) => place.split('#')[1]!));
    if (authorities.size === 1) area = [...authorities][0]!;
    else if (regions.size === 1) area = [...regions][0]!;
  }
  return { from: dates[0]!, to: dates.at(-1)!, area, batches: batches.length, records, exact };
}

// ---------------------------------------------------------------------------------------------------
// The rebuild

export interface RebuildOptions {
  from: string;
  to: string;
  /** England (default), a region or a local authority. */
  area?: string;
  /**
   * Set an area-day whose aggregate is not its ledger's sum to that sum (conditionally, after reading it
   * again `settleMs` later). Only for all of England: every ledger entry of an area-day must be read.
   */
  repair?: boolean;
  /** The pause before a mismatch is read again to be repaired; default 2 s. */
  settleMs?: number;
  onDay?: (day: DayReport) => void;
  /** As each page of a day's returns is read. */
  onProgress?: (progress: { date: string; returnsRead: number }) => void;
}

export interface DayReport {
  date: string;
  returnsRead: number;
  applied: number;
  alreadyCurrent: number;
  failed: number;
  areaDaysChecked: number;
  unsettled: number;
  mismatches: number;
  repaired: number;
}

export interface RebuildReport {
  area: AreaRef;
  from: string;
  to: string;
  days: number;
  returnsRead: number;
  /** Location-days brought to their current return through the ledger. */
  applied: number;
  /** Location-days whose ledger had their current version already. */
  alreadyCurrent: number;
  failed: Array<{ locationId: string; reportDate: string; error: string }>;
  /** Locations whose newest return read went through the aggregator's path again (latest-return copy, vacancy entries). */
  locationsRefreshed: number;
  /** Area-days judged (aggregate against the sum of its ledger entries). */
  areaDaysChecked: number;
  /** Area-days that moved while being read (the aggregator at work): not judged this time. */
  unsettled: Array<{ ref: AreaRef; date: string }>;
  /** Area-days whose aggregate is not the sum of its ledger entries (and were not repaired). */
  mismatches: Mismatch[];
  repaired: Mismatch[];
  /** Mismatches not repaired because they read differently the second time, or changed before the write. */
  repairSkipped: number;
}

const APPLY_CHUNK = 100;
const dayKey = (day: { locationId: string; reportDate: string }) => `${day.locationId}#${day.reportDate}`;

/** Through the aggregator's path, a chunk at a time: how many were applied, and which failed. */
async function applyThroughLedger(items: readonly ReturnItem[]): Promise<{ ok: number; failed: RebuildReport['failed'] }> {
  let ok = 0;
  const failed: RebuildReport['failed'] = [];
  for (let i = 0; i < items.length; i += APPLY_CHUNK) {
    const outcomes = await applyReturns(items.slice(i, i + APPLY_CHUNK));
    for (const [item, error] of outcomes) {
      if (error) failed.push({ locationId: item.locationId, reportDate: item.reportDate, error: error.message });
      else ok += 1;
    }
  }
  return { ok, failed };
}

/** The area-days of the scope that have an aggregate item for the day (and the scope's own area). */
async function knownAreaDays(scope: RebuildScope, date: string): Promise<Map<string, { ref: AreaRef; region?: string }>> {
  const known = new Map<string, { ref: AreaRef; region?: string }>([[areaKeyOf(scope.ref), { ref: scope.ref, ...(scope.region ? { region: scope.region } : {}) }]]);
  if (scope.ref.level === 'localAuthority') return known;
  const levels: AreaLevel[] = scope.ref.level === 'england' ? ['localAuthority', 'region', 'england'] : ['localAuthority'];
  for (const level of levels) {
    for (const found of await dayAggregateAreas(level, date)) {
      const region = found.level === 'localAuthority' ? found.region : undefined;
      if (scope.covers(found, region)) known.set(areaKeyOf(found), { ref: { level: found.level, area: found.area }, ...(region ? { region } : {}) });
    }
  }
  return known;
}

interface DayReading {
  returnsRead: number;
  stale: ReturnItem[];
  alreadyCurrent: number;
  judgements: Judgement[];
}

/**
 * One day's returns and their ledger entries (one paginated Query), with the area-days read before and
 * after them; `only` narrows the judging to some area-days (a repair's second look).
 */
async function readDay(scope: RebuildScope, date: string, options: { only?: ReadonlySet<string>; onReturn?: (item: ReturnItem) => void; onPage?: (returnsRead: number) => void }): Promise<DayReading> {
  const covers = (ref: AreaRef, region: string | undefined) => scope.covers(ref, region) && (!options.only || options.only.has(areaKeyOf(ref)));
  const known = new Map([...(await knownAreaDays(scope, date))].filter(([, { ref, region }]) => covers(ref, region)));
  const before = await getAggregateItems([...known.values()].map(({ ref }) => ({ ref, date })));
  const sums = new Map<string, AreaDaySum>();
  const stale: ReturnItem[] = [];
  let returnsRead = 0;
  let alreadyCurrent = 0;
  for await (const page of returnsOfDay(date, scope.prefix)) {
    const ledgers = await getLedgerEntries(page);
    for (const item of page) {
      returnsRead += 1;
      const ledger = ledgers.get(dayKey(item));
      if (ledger) addLedgerEntry(sums, ledger, covers);
      if (ledger && ledger.appliedVersion >= item.version) alreadyCurrent += 1;
      else stale.push(item);
      options.onReturn?.(item);
    }
    options.onPage?.(returnsRead);
  }
  const areaDays = new Map(known);
  for (const [key, { ref, region }] of sums) if (!areaDays.has(key)) areaDays.set(key, { ref, ...(region ? { region } : {}) });
  const after = await getAggregateItems([...areaDays.values()].map(({ ref }) => ({ ref, date })));
  const itemOf = (items: Map<string, AggregateItem>, ref: AreaRef) => items.get(`${areaKeyOf(ref)}|${date}`) as Partial<Contribution> | undefined;
  const judgements = [...areaDays].map(([key, { ref, region }]) => {
    const afterItem = itemOf(after, ref) as (Partial<Contribution> & { region?: string }) | undefined;
    const placed = region ?? (ref.level === 'localAuthority' ? afterItem?.region : undefined);
    return judgeAreaDay({
      ref,
      ...(placed ? { region: placed } : {}),
      date,
      readBefore: known.has(key),
      before: itemOf(before, ref),
      after: afterItem,
      sum: sums.get(key)?.sum,
    });
  });
  return { returnsRead, stale, alreadyCurrent, judgements };
}

/**
 * A mismatch is repaired only if a second reading after a pause finds the same difference with the item
 * unmoved (so neither reading caught a ledger transaction half-seen, nor a return not yet in the index),
 * and only on condition that the item still holds the figures read.
 */
async function repairDay(scope: RebuildScope, date: string, mismatches: readonly Mismatch[], settleMs: number): Promise<{ repaired: Mismatch[]; skipped: Mismatch[] }> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const only = new Set(mismatches.map(({ ref }) => areaKeyOf(ref)));
  const again = await readDay(scope, date, { only });
  const second = new Map(again.judgements.flatMap((judgement) => (judgement.kind === 'mismatch' ? [[areaKeyOf(judgement.mismatch.ref), judgement.mismatch] as const] : [])));
  const repaired: Mismatch[] = [];
  const skipped: Mismatch[] = [];
  for (const first of mismatches) {
    const confirmed = second.get(areaKeyOf(first.ref));
    if (!confirmed || !sameDifference(first, confirmed)) {
      skipped.push(first);
      continue;
    }
    const done = await repairAggregate({
      ref: confirmed.ref,
      date,
      seen: confirmed.aggregate,
      target: confirmed.ledger,
      expected: await countActive(confirmed.ref),
      ...(confirmed.region ? { region: confirmed.region } : {}),
    });
    (done ? repaired : skipped).push(confirmed);
  }
  return { repaired, skipped };
}

export async function rebuildAggregates(options: RebuildOptions): Promise<RebuildReport> {
  if (options.from > options.to) throw new Error(`--from ${options.from} is after --to ${options.to}`);
  const authorities = options.area && areaLevelOf(options.area) === 'localAuthority' ? await listAreas('localAuthority') : [];
  const scope = rebuildScope(options.area, authorities);
  if (options.repair && scope.ref.level !== 'england') {
    throw new Error('Repairing reads every ledger entry of an area-day, which only a rebuild of all England does: leave out --area');
  }
  const report: RebuildReport = {
    area: scope.ref,
    from: options.from,
    to: options.to,
    days: 0,
    returnsRead: 0,
    applied: 0,
    alreadyCurrent: 0,
    failed: [],
    locationsRefreshed: 0,
    areaDaysChecked: 0,
    unsettled: [],
    mismatches: [],
    repaired: [],
    repairSkipped: 0,
  };
  const newest = new Map<string, ReturnItem>();
  for (const date of daysBetween(options.from, options.to)) {
    const reading = await readDay(scope, date, {
      onReturn: (item) => newest.set(item.locationId, newerReturn(newest.get(item.locationId), item)),
      onPage: (returnsRead) => options.onProgress?.({ date, returnsRead }),
    });
    // (a): after the reading, so the judging saw the day before this run moved it (the difference is the same either way).
    const applied = await applyThroughLedger(reading.stale);
    const mismatches = reading.judgements.flatMap((judgement) => (judgement.kind === 'mismatch' ? [judgement.mismatch] : []));
    const unsettled = reading.judgements.flatMap((judgement) => (judgement.kind === 'unsettled' ? [{ ref: judgement.ref, date }] : []));
    let repaired: Mismatch[] = [];
    let remaining = mismatches;
    if (options.repair && mismatches.length > 0) {
      const outcome = await repairDay(scope, date, mismatches, options.settleMs ?? 2_000);
      repaired = outcome.repaired;
      remaining = outcome.skipped;
      report.repairSkipped += outcome.skipped.length;
    }
    const day: DayReport = {
      date,
      returnsRead: reading.returnsRead,
      applied: applied.ok,
      alreadyCurrent: reading.alreadyCurrent,
      failed: applied.failed.length,
      areaDaysChecked: reading.judgements.filter((judgement) => judgement.kind === 'match' || judgement.kind === 'mismatch').length,
      unsettled: unsettled.length,
      mismatches: mismatches.length,
      repaired: repaired.length,
    };
    report.days += 1;
    report.returnsRead += day.returnsRead;
    report.applied += day.applied;
    report.alreadyCurrent += day.alreadyCurrent;
    report.failed.push(...applied.failed);
    report.areaDaysChecked += day.areaDaysChecked;
    report.unsettled.push(...unsettled);
    report.mismatches.push(...remaining);
    report.repaired.push(...repaired);
    options.onDay?.(day);
  }
  // Each location's newest return read, once more through the aggregator's path: nothing for the ledger
  // now, but its latest-return copy and vacancy entries move forward if the lost records had not moved them.
  const refreshed = await applyThroughLedger([...newest.values()]);
  report.locationsRefreshed = refreshed.ok;
  report.failed.push(...refreshed.failed.filter((failure) => !report.failed.some((seen) => dayKey(seen) === dayKey(failure))));
  return report;
}
