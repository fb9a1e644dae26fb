/**
 * What the simulated providers saw: every HTTP attempt (status, latency) and, per location-day, every
 * write the service acknowledged with the version it stored, and every attempt whose answer was lost
 * (which may or may not have written a version). The checks afterwards are made against this.
 */

export type WriteKind = 'first' | 'correctionIfMatch' | 'correction' | 'confirm';

export interface Ack {
  kind: WriteKind;
  version: number;
  /** The stored return as the 2xx answer carried it. */
  stored: Record<string, unknown>;
  keyed: boolean;
  /** Attempts before this one whose answer was lost (retried with the same key). */
  retries: number;
  /** When the answer arrived (epoch ms): a kill of DynamoDB Local right after it may lose the write (see verify.ts). */
  at: number;
}

export interface DayJournal {
  locationId: string;
  reportDate: string;
  /** In the order the provider got them (one provider writes a location, one request at a time). */
  acks: Ack[];
  /** Attempts with no answer (network error, timeout) or a 5xx: each may have stored a version. */
  lostAnswers: number;
  /** Writes given up on without an acknowledgement. */
  abandoned: number;
}

export interface Outage {
  startedAt: number;
  endedAt?: number;
}

export class Journal {
  readonly days = new Map<string, DayJournal>();
  readonly statuses = new Map<string, number>();
  readonly latencies: number[] = [];
  requests = 0;
  acknowledged = 0;
  /** Deliberate replays of an acknowledged keyed write: same key, same request. */
  replays = { sent: 0, matched: 0, mismatched: [] as string[] };
  /** Answers no correct run gives: any 4xx but an expected one, a 500, a 5xx without a problem+json and Retry-After. */
  unexpected: string[] = [];
  /** Every 5xx, and whether it was the clear 503 problem+json with Retry-After it should be. */
  serverErrors = { total: 0, clear503: 0 };
  /** Requests the client gave up waiting for (a hang, not an answer). */
  clientTimeouts = 0;
  /** Windows in which DynamoDB Local was down (--faults kill), and what was answered meanwhile. */
  readonly outages: Outage[] = [];
  duringOutage = { answered: 0, status503: 0, maxLatencyMs: 0 };

  day(locationId: string, reportDate: string): DayJournal {
    const key = `${locationId}#${reportDate}`;
    let day = this.days.get(key);
    if (!day) {
      day = { locationId, reportDate, acks: [], lostAnswers: 0, abandoned: 0 };
      this.days.set(key, day);
    }
    return day;
  }

  attempt(status: string, latencyMs: number, startedAt: number): void {
    this.requests += 1;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.latencies.push(latencyMs);
    const outage = this.outages.find((window) => startedAt >= window.startedAt && (window.endedAt === undefined || startedAt < window.endedAt));
    if (outage && status !== 'timeout') {
      this.duringOutage.answered += 1;
      if (status === '503') this.duringOutage.status503 += 1;
      this.duringOutage.maxLatencyMs = Math.max(this.duringOutage.maxLatencyMs, latencyMs);
    }
  }

  noteUnexpected(what: string): void {
    if (this.unexpected.length < 200) this.unexpected.push(what);
    else if (this.unexpected.length === 200) this.unexpected.push('... and more');
  }
}
