import type { CqcLocation } from '#shared/model/directory/cqc';
import { storedAreaLookups } from '#shared/repositories/areas';
import { advanceSyncCheckpoint, getSyncCheckpoint } from '#shared/repositories/sync-checkpoints';
import { CqcApi, CqcApiError, cqcTimestamp, type CqcApiStats, type CqcApiTuning } from '#shared/runtime/cqc-api';
import { cqcApiKey, forgetCqcApiKeys } from '#shared/runtime/cqc-api-key';
import { setting } from '#shared/runtime/settings';
import { applyCqcRecords, emptySummary, type ImportSummary } from '#shared/services/directory/import';

/**
 * The sync with the CQC Syndication API: the locations the register changed since the last successful
 * sync, each fetched and put through the file import's mapping and field-by-field upsert
 * (`applyCqcRecords`), placed with the areas the import stored.
 *
 * The time since the checkpoint is taken in windows of at most a day. A window's changes are read page by
 * page, its records fetched (the client keeps the API's rate limit) and applied a hundred at a time, and
 * only when all of that succeeded does the checkpoint move to the window's end. A run that fails part-way
 * leaves the checkpoint at the end of the last whole window; the next run starts there, re-reads that
 * window's changes and applies them again, which writes nothing for what is already in the directory.
 */
export const CQC_SYNC_JOB = 'cqcLocations' as const;

const RECORDS_PER_CHUNK = 100;
const HOUR_MS = 3_600_000;

export interface CqcSyncOptions {
  /** The end of the last window: the sync reads changes up to this instant. */
  now: Date;
  /** Start here instead of at the checkpoint (a first sync, or reading a stretch again). */
  since?: Date;
  /**
   * With neither a checkpoint nor `since`: start this many hours before `now` (the scheduled job), or
   * refuse (`npm run sync:cqc`, which asks for --since).
   */
  firstRun: { lookbackHours: number } | 'refuse';
  /** The longest window (default 24 h); the checkpoint moves after each. */
  windowHours?: number;
  /** No window is started after this instant (epoch ms): a Lambda leaves time to finish the one it is in. */
  deadline?: number;
  /** The API client's limits (concurrency, retries, backoff, page size). */
  tuning?: Partial<CqcApiTuning>;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: CqcSyncProgress) => void;
}

export type CqcSyncProgress =
  | { kind: 'window'; start: string; end: string; index: number; windows: number }
  | { kind: 'changes'; page: number; totalPages: number }
  | { kind: 'records'; done: number; total: number };

export interface CqcSyncWindow {
  start: string;
  end: string;
  /** Location IDs the API listed as changed in the window. */
  changes: number;
  notFound: number;
}

export interface CqcSyncReport {
  job: typeof CQC_SYNC_JOB;
  /** Where the run started (the checkpoint, `since`, or a day back) and where it meant to stop. */
  from: string;
  to: string;
  checkpointBefore: string | null;
  /** Where the checkpoint is after the run. */
  checkpointAfter: string | null;
  /** The windows finished, each having moved the checkpoint. */
  windows: CqcSyncWindow[];
  /** False when the run stopped at its deadline before `to`: the next run carries on from the checkpoint. */
  complete: boolean;
  changes: number;
  fetched: number;
  /** Changed IDs the API has no record for (404): deregistered and removed, or not yet published. Reported, not acted on. */
  notFound: string[];
  /** What the records did to the directory: added, changed (with the fields), deactivated, skipped and not placed with reasons. */
  summary: ImportSummary;
  api: CqcApiStats;
}

/** A sync that failed part-way: what it did before failing, and where the checkpoint stayed. */
export class CqcSyncError extends Error {
  constructor(
    message: string,
    readonly report: CqcSyncReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CqcSyncError';
  }
}

export class NoAreasError extends Error {
  constructor() {
    super('No areas are stored to place CQC records in: run `npm run import:cqc` (it writes the ONS councils, regions and districts) before the first sync');
    this.name = 'NoAreasError';
  }
}

/** Instants to the second, as the CQC API takes them and as the checkpoint stores them (so they compare as strings). */
const toSecond = (instant: Date) => new Date(Math.floor(instant.getTime() / 1000) * 1000);

/** The stretch from `from` to `to` in windows of at most `hours`. */
export function syncWindows(from: Date, to: Date, hours: number): Array<{ start: Date; end: Date }> {
  if (!(hours > 0)) throw new Error('windowHours must be more than 0');
  const windows: Array<{ start: Date; end: Date }> = [];
  for (let start = from.getTime(); start < to.getTime(); start += hours * HOUR_MS) {
    windows.push({ start: new Date(start), end: new Date(Math.min(start + hours * HOUR_MS, to.getTime())) });
  }
  return windows;
}

export async function syncCqcLocations(options: CqcSyncOptions): Promise<CqcSyncReport> {
  const to = toSecond(options.now);
  const checkpoint = await getSyncCheckpoint(CQC_SYNC_JOB);
  let from: Date;
  if (options.since) from = toSecond(options.since);
  else if (checkpoint) from = new Date(checkpoint.syncedTo);
  else if (options.firstRun === 'refuse') {
    throw new Error('The CQC sync has no checkpoint yet: say where to start with --since DATE (e.g. the day the register file was imported)');
  } else from = new Date(to.getTime() - options.firstRun.lookbackHours * HOUR_MS);
  if (Number.isNaN(from.getTime())) throw new Error(`Cannot start the CQC sync at ${String(options.since ?? checkpoint?.syncedTo)}: not an instant`);
  if (from > to) throw new Error(`Cannot sync from ${cqcTimestamp(from)}: it is after now (${cqcTimestamp(to)})`);

  const report: CqcSyncReport = {
    job: CQC_SYNC_JOB,
    from: cqcTimestamp(from),
    to: cqcTimestamp(to),
    checkpointBefore: checkpoint?.syncedTo ?? null,
    checkpointAfter: checkpoint?.syncedTo ?? null,
    windows: [],
    complete: false,
    changes: 0,
    fetched: 0,
    notFound: [],
    summary: emptySummary(),
    api: { requests: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0, retries: 0, waitedMs: 0 },
  };
  const windows = syncWindows(from, to, options.windowHours ?? 24);
  if (windows.length === 0) {
    report.complete = true;
    return report;
  }

  // Before any request: a sync that could place nothing must say so, not report every record unplaced.
  const { lookups, count } = await storedAreaLookups();
  if (count === 0) throw new NoAreasError();

  const api = new CqcApi({
    baseUrl: setting('CQC_API_BASE_URL'),
    subscriptionKey: await cqcApiKey(),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  report.api = api.stats;
  const progress = options.onProgress ?? (() => undefined);

  for (const [index, window] of windows.entries()) {
    if (options.deadline !== undefined && Date.now() > options.deadline) return report;
    const start = cqcTimestamp(window.start);
    const end = cqcTimestamp(window.end);
    progress({ kind: 'window', start, end, index, windows: windows.length });
    const notFoundBefore = report.notFound.length;
    try {
      const ids = await api.changedLocationIds(window.start, window.end, (page, totalPages) => progress({ kind: 'changes', page, totalPages }));
      report.changes += ids.length;
      progress({ kind: 'records', done: 0, total: ids.length });
      for (let offset = 0; offset < ids.length; offset += RECORDS_PER_CHUNK) {
        const chunk = ids.slice(offset, offset + RECORDS_PER_CHUNK);
        // Every request of the chunk is let finish before a failure is thrown: none is left running
        // against the API after the run has given up.
        const answers = await Promise.allSettled(chunk.map((id) => api.location(id)));
        const failed = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
        if (failed) throw failed.reason;
        const records: CqcLocation[] = [];
        for (const [position, answer] of answers.entries()) {
          const record = (answer as PromiseFulfilledResult<CqcLocation | undefined>).value;
          if (record) records.push(record);
          else report.notFound.push(chunk[position]!);
        }
        report.fetched += records.length;
        report.summary.read += records.length;
        await applyCqcRecords(records, lookups, report.summary);
        progress({ kind: 'records', done: Math.min(offset + RECORDS_PER_CHUNK, ids.length), total: ids.length });
      }
      report.windows.push({ start, end, changes: ids.length, notFound: report.notFound.length - notFoundBefore });
      await advanceSyncCheckpoint({ job: CQC_SYNC_JOB, syncedTo: end, updatedAt: new Date().toISOString(), window: { start, changes: ids.length } });
      report.checkpointAfter = report.checkpointAfter !== null && report.checkpointAfter > end ? report.checkpointAfter : end;
    } catch (error) {
      if (error instanceof CqcApiError && (error.status === 401 || error.status === 403)) forgetCqcApiKeys();
      const message = error instanceof Error ? error.message : String(error);
      throw new CqcSyncError(
        `The CQC sync failed in the window ${start} to ${end}: ${message}. The checkpoint stays at ${report.checkpointAfter ?? '(none)'}; the next run resumes from there`,
        report,
        { cause: error },
      );
    }
  }
  report.complete = true;
  return report;
}
