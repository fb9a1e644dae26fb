import * as z from 'zod';
import type { CqcLocation } from '#shared/model/directory/cqc';

/**
 * The client of the CQC Syndication API (https://api.service.cqc.org.uk/public/v1): the location changes
 * in a time window, page by page, and one location record at a time. Every request carries the
 * subscription key (`Ocp-Apim-Subscription-Key`) and goes through one gate that keeps the API's rate
 * limit:
 *
 * - at most `concurrency` requests in flight;
 * - a 429 pauses every request until its `Retry-After` has passed (seconds or an HTTP date; the backoff
 *   when it gives none), then the request is tried again, up to `maxRateLimitRetries` times;
 * - a 5xx, or no answer at all (refused, reset, timed out), is tried again after an exponential backoff
 *   from `backoffBaseMs` (with jitter), up to `maxRetries` times;
 * - 401/403 (the key) and any other 4xx fail at once; a 404 for a location is an answer (`undefined`).
 *
 * What it did is counted in `stats`, for the sync's report and metrics.
 */
export interface CqcApiTuning {
  /** Requests in flight at once. */
  concurrency: number;
  /** Further tries of a request that got a 5xx or no answer. */
  maxRetries: number;
  /** The first backoff after a 5xx (doubling each time), and after a 429 without Retry-After. */
  backoffBaseMs: number;
  /** Further tries of a request that got a 429. */
  maxRateLimitRetries: number;
  /** The longest Retry-After honoured; a longer one fails the run (the next run resumes). */
  maxRetryAfterMs: number;
  /** Per request. */
  timeoutMs: number;
  /** Location IDs per page of the changes endpoint. */
  perPage: number;
}

export const DEFAULT_CQC_API_TUNING: CqcApiTuning = {
  concurrency: 4,
  maxRetries: 4,
  backoffBaseMs: 1_000,
  maxRateLimitRetries: 10,
  maxRetryAfterMs: 120_000,
  timeoutMs: 30_000,
  perPage: 500,
};

export interface CqcApiStats {
  requests: number;
  /** 429 answers. */
  rateLimited: number;
  /** 5xx answers. */
  serverErrors: number;
  /** Requests that got no answer (refused, reset, timed out). */
  networkErrors: number;
  /** Requests sent again after a 429, a 5xx or no answer. */
  retries: number;
  /** Time spent waiting before retries (the Retry-After of 429s, the backoff of the rest). */
  waitedMs: number;
}

export class CqcApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CqcApiError';
  }
}

export interface CqcApiOptions {
  /** Up to `/public/v1`, e.g. https://api.service.cqc.org.uk/public/v1. */
  baseUrl: string;
  subscriptionKey: string;
  tuning?: Partial<CqcApiTuning>;
  /** How to wait (tests record the waits); setTimeout by default. */
  sleep?: (ms: number) => Promise<void>;
}

/** The changes endpoint's page: `changes` is the location IDs; more fields (total, links) are ignored. */
const ChangesPage = z.object({
  changes: z.array(z.string()),
  page: z.number().int().optional(),
  totalPages: z.number().int().nonnegative(),
});
const LocationRecord = z.record(z.string(), z.unknown());

/** CQC's timestamps: ISO 8601 in UTC, to the second (`2026-11-22T04:30:00Z`). */
export function cqcTimestamp(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A Retry-After value in milliseconds (delta seconds or an HTTP date), or undefined when there is none to use. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

type Answer = { status: 'ok'; body: unknown } | { status: 'notFound' };

export class CqcApi {
  readonly stats: CqcApiStats = { requests: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0, retries: 0, waitedMs: 0 };
  readonly tuning: CqcApiTuning;
  private readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** Set by a 429: no request is sent before this instant (epoch ms). */
  private pausedUntil = 0;

  constructor(private readonly options: CqcApiOptions) {
    this.tuning = { ...DEFAULT_CQC_API_TUNING, ...options.tuning };
    if (!Number.isInteger(this.tuning.concurrency) || this.tuning.concurrency < 1) throw new Error('CQC API concurrency must be a whole number, 1 or more');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * The IDs of the locations changed from `start` (inclusive) to `end`, every page read, each ID once in the
   * order the API gave them. `onPage` is told each page as it arrives.
   */
  async changedLocationIds(start: Date, end: Date, onPage?: (page: number, totalPages: number) => void): Promise<string[]> {
    const ids = new Set<string>();
    let totalPages = 1;
    for (let page = 1; page <= totalPages; page += 1) {
      const answer = await this.get('/changes/location', {
        startTimestamp: cqcTimestamp(start),
        endTimestamp: cqcTimestamp(end),
        page: String(page),
        perPage: String(this.tuning.perPage),
      });
      if (answer.status === 'notFound') throw new CqcApiError('GET /changes/location answered 404: is CQC_API_BASE_URL the API up to /public/v1?', 404);
      const parsed = ChangesPage.safeParse(answer.body);
      if (!parsed.success) throw new CqcApiError(`GET /changes/location page ${page} is not a page of changes: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`);
      for (const id of parsed.data.changes) ids.add(id);
      totalPages = parsed.data.totalPages;
      onPage?.(page, Math.max(totalPages, page));
    }
    return [...ids];
  }

  /** One location record as the API holds it now, or undefined when the API has none by that ID (404). */
  async location(locationId: string): Promise<CqcLocation | undefined> {
    const answer = await this.get(`/locations/${encodeURIComponent(locationId)}`);
    if (answer.status === 'notFound') return undefined;
    const parsed = LocationRecord.safeParse(answer.body);
    if (!parsed.success) throw new CqcApiError(`GET /locations/${locationId} is not a location record`);
    return parsed.data as CqcLocation;
  }

  private async get(path: string, query: Record<string, string> = {}): Promise<Answer> {
    await this.acquire();
    try {
      return await this.getWithRetries(path, query);
    } finally {
      this.release();
    }
  }

  private async getWithRetries(path: string, query: Record<string, string>): Promise<Answer> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    let failures = 0;
    let rateLimits = 0;
    for (;;) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) await this.sleep(pause);
      this.stats.requests += 1;
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { 'Ocp-Apim-Subscription-Key': this.options.subscriptionKey, Accept: 'application/json', 'User-Agent': 'capacity-tracker-cqc-sync' },
          signal: AbortSignal.timeout(this.tuning.timeoutMs),
        });
      } catch (error) {
        this.stats.networkErrors += 1;
        failures += 1;
        if (failures > this.tuning.maxRetries) {
          throw new CqcApiError(`GET ${path} got no answer after ${failures} tries: ${(error as Error).message}`);
        }
        await this.backoff(failures);
        continue;
      }
      if (response.ok) {
        const text = await response.text();
        try {
          return { status: 'ok', body: JSON.parse(text) as unknown };
        } catch {
          throw new CqcApiError(`GET ${path} answered ${response.status} with something that is not JSON`, response.status);
        }
      }
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      if (response.status === 404 && path.startsWith('/locations/')) return { status: 'notFound' };
      if (response.status === 429) {
        this.stats.rateLimited += 1;
        rateLimits += 1;
        if (rateLimits > this.tuning.maxRateLimitRetries) throw new CqcApiError(`GET ${path} was still rate limited (429) after ${rateLimits} tries`, 429);
        const wait = retryAfterMs(response.headers.get('retry-after')) ?? this.backoffMs(rateLimits);
        if (wait > this.tuning.maxRetryAfterMs) {
          throw new CqcApiError(`GET ${path}: the CQC API asks for a pause of ${Math.round(wait / 1000)} s (Retry-After), longer than ${this.tuning.maxRetryAfterMs / 1000} s`, 429);
        }
        // Every request waits, not only this one: the limit is the key's, not the request's.
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
        this.stats.retries += 1;
        this.stats.waitedMs += wait;
        await this.sleep(wait);
        continue;
      }
      if (response.status >= 500) {
        this.stats.serverErrors += 1;
        failures += 1;
        if (failures > this.tuning.maxRetries) throw new CqcApiError(`GET ${path} answered ${response.status} ${failures} times running${detail ? `: ${detail}` : ''}`, response.status);
        await this.backoff(failures);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new CqcApiError(
          `The CQC API refused the subscription key (${response.status}): put a valid key from the CQC API portal in the secret of CQC_API_KEY_SECRET_ARN (locally, the file of CQC_API_KEY_FILE)`,
          response.status,
        );
      }
      throw new CqcApiError(`GET ${path} answered ${response.status}${detail ? `: ${detail}` : ''}`, response.status);
    }
  }

  /** base × 2^(n−1), plus up to half as much again at random, so retries of parallel requests spread out. */
  private backoffMs(attempt: number): number {
    const base = this.tuning.backoffBaseMs * 2 ** (attempt - 1);
    return Math.round(base + Math.random() * base * 0.5);
  }

  private async backoff(attempt: number): Promise<void> {
    const wait = this.backoffMs(attempt);
    this.stats.retries += 1;
    this.stats.waitedMs += wait;
    await this.sleep(wait);
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.tuning.concurrency) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so the count stays as it is.
    if (next) next();
    else this.inFlight -= 1;
  }
}
