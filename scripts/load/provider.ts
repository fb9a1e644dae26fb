import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Location } from '#shared/model/schemas/location';
import { randomReturn } from './bodies';
import type { Journal, WriteKind } from './journal';

/** Longer than the gateway's 29 s integration timeout: the client gives up only on a real hang. */
const CLIENT_TIMEOUT_MS = 35_000;
/** Share of writes sent with an Idempotency-Key (the web form always sends one; other clients may not). */
const KEYED_SHARE = 0.8;
/** Share of acknowledged keyed writes sent again with the same key, to check the replay. */
const REPLAY_SHARE = 0.05;

type Answer =
  | { status: number; headers: Headers; json: any; text: string }
  | { status: 'network' | 'timeout'; error: string };

const isHttp = (answer: Answer): answer is Extract<Answer, { headers: Headers }> => typeof answer.status === 'number';
const returnPath = (locationId: string, reportDate: string) => `/v1/locations/${locationId}/returns/${reportDate}`;

export interface ProviderOptions {
  gatewayUrl: string;
  userId: string;
  locations: readonly Location[];
  /** The report dates it writes (today in England and a few days back). */
  days: readonly string[];
  journal: Journal;
  random: () => number;
  /** Epoch ms: no new write starts after this. */
  until: number;
  /** How long one write is retried (same key) before its answer counts as lost. */
  retryMs: number;
}

interface DayState {
  location: Location;
  reportDate: string;
  /** The version its last acknowledged write stored; undefined until one was. */
  version: number | undefined;
  /** False after an answer was lost: a version may exist that this provider has not seen. */
  certain: boolean;
}

interface WriteRequest {
  method: 'PUT' | 'POST';
  path: string;
  body: string | undefined;
  headers: Record<string, string>;
}

/**
 * One provider user at a keyboard: signs in, then one request at a time submits first returns for its
 * locations, corrects them with and without If-Match, confirms ("nothing has changed"), and retries a
 * write whose answer was lost with the same Idempotency-Key, as the web form does.
 */
export class SimulatedProvider {
  private token = '';
  private readonly days = new Map<string, DayState>();
  private readonly touched: string[] = [];

  constructor(private readonly options: ProviderOptions) {}

  async signIn(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`${this.options.gatewayUrl}/local/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sub: this.options.userId, role: 'provider' }),
        });
        if (response.ok) {
          this.token = ((await response.json()) as { token: string }).token;
          return;
        }
        throw new Error(`POST /local/token answered ${response.status}: ${await response.text()}`);
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(500);
      }
    }
  }

  async run(): Promise<void> {
    while (Date.now() < this.options.until) await this.step();
  }

  private async step(): Promise<void> {
    const { random } = this.options;
    let state: DayState | undefined;
    if (this.touched.length === 0 || random() < 0.45) {
      const location = this.options.locations[Math.floor(random() * this.options.locations.length)]!;
      const reportDate = this.options.days[Math.floor(random() * this.options.days.length)]!;
      const key = `${location.locationId}#${reportDate}`;
      state = this.days.get(key);
      if (!state) {
        state = { location, reportDate, version: undefined, certain: true };
        this.days.set(key, state);
        this.touched.push(key);
        return this.write('first', state);
      }
    }
    state ??= this.days.get(this.touched[Math.floor(random() * this.touched.length)]!)!;
    const roll = random();
    const kind: WriteKind =
      roll < 0.4 && state.certain && state.version !== undefined ? 'correctionIfMatch' : roll < 0.8 || state.version === undefined ? 'correction' : 'confirm';
    return this.write(kind, state);
  }

  private request(kind: WriteKind, state: DayState, idempotencyKey: string | undefined): WriteRequest {
    const path = returnPath(state.location.locationId, state.reportDate);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    if (kind === 'correctionIfMatch') headers['if-match'] = `"${state.version}"`;
    if (kind === 'confirm') return { method: 'POST', path: `${path}/confirm`, body: undefined, headers };
    headers['content-type'] = 'application/json';
    return { method: 'PUT', path, body: JSON.stringify(randomReturn(state.location, this.options.random)), headers };
  }

  private async write(kind: WriteKind, state: DayState): Promise<void> {
    const { journal, random } = this.options;
    const day = journal.day(state.location.locationId, state.reportDate);
    const key = random() < KEYED_SHARE ? randomUUID() : undefined;
    const request = this.request(kind, state, key);
    const outcome = await this.sendUntilAnswered(request, key !== undefined, () => {
      day.lostAnswers += 1;
      state.certain = false;
    });
    if (outcome.kind === 'acknowledged') {
      const stored = outcome.answer.json as Record<string, unknown>;
      day.acks.push({ kind, version: Number(stored.version), stored, keyed: key !== undefined, retries: outcome.lost, at: Date.now() });
      journal.acknowledged += 1;
      state.version = Number(stored.version);
      state.certain = true;
      if (key && random() < REPLAY_SHARE) await this.replay(request, stored);
      return;
    }
    day.abandoned += 1;
    // Shed by the gateway (429) until the retry time ran out: nothing was done, so nothing is uncertain.
    if (outcome.kind === 'shed') return;
    state.certain = false;
    if (outcome.kind === 'refused') {
      const { answer } = outcome;
      // With If-Match, a retry after a lost answer finds the version that lost attempt stored: 412 is right.
      // So it is after any earlier lost answer of the day: a write whose invocation ran out of time (the
      // gateway's 500, as Lambda's) may still land after a later write was acknowledged, a version this
      // provider has not seen.
      if (!(answer.status === 412 && (outcome.lost > 0 || day.lostAnswers > 0))) journal.noteUnexpected(`${request.method} ${request.path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    }
  }

  /** The same request with the same key: the stored answer must come back, marked as a replay, and nothing be written. */
  private async replay(request: WriteRequest, stored: Record<string, unknown>): Promise<void> {
    const { journal } = this.options;
    journal.replays.sent += 1;
    const outcome = await this.sendUntilAnswered(request, true, () => undefined);
    if (outcome.kind === 'lost' || outcome.kind === 'shed') return;
    const answer = outcome.answer;
    if (outcome.kind === 'acknowledged' && answer.headers.get('idempotent-replayed') === 'true' && isDeepStrictEqual(answer.json, stored)) {
      journal.replays.matched += 1;
    } else {
      journal.replays.mismatched.push(`${request.method} ${request.path} replay answered ${answer.status} (replayed: ${answer.headers.get('idempotent-replayed')}): ${answer.text.slice(0, 200)}`);
    }
  }

  /**
   * Sends until there is an answer to act on: a 2xx, or a 4xx that is final. A lost answer (no response, a
   * timeout, a 5xx) or a 409 "still in progress" is retried after Retry-After, with the same key, while
   * the write is keyed and within its retry time; without a key it cannot be retried safely. A 429 (the
   * gateway shedding load: nothing ran) is sent again after Retry-After, keyed or not, within the retry time.
   */
  private async sendUntilAnswered(
    request: WriteRequest,
    keyed: boolean,
    onLostAnswer: () => void,
  ): Promise<
    | { kind: 'acknowledged'; answer: Extract<Answer, { headers: Headers }>; lost: number }
    | { kind: 'refused'; answer: Extract<Answer, { headers: Headers }>; lost: number }
    | { kind: 'lost'; lost: number }
    | { kind: 'shed'; lost: number }
  > {
    const deadline = Date.now() + this.options.retryMs;
    let lost = 0;
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.send(request);
      if (isHttp(answer) && answer.status >= 200 && answer.status < 300) return { kind: 'acknowledged', answer, lost };
      if (isHttp(answer) && answer.status === 429) {
        if (Date.now() > deadline) return lost > 0 ? { kind: 'lost', lost } : { kind: 'shed', lost };
        const retryAfter = Number(answer.headers.get('retry-after'));
        await sleep((Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1_000) * (0.5 + this.options.random()));
        continue;
      }
      const lostAnswer = !isHttp(answer) || answer.status >= 500;
      const inProgress = isHttp(answer) && answer.status === 409 && String(answer.json?.type ?? '').endsWith('/idempotency-in-progress');
      if (lostAnswer) {
        lost += 1;
        onLostAnswer();
      }
      if (!lostAnswer && !inProgress) return { kind: 'refused', answer: answer as Extract<Answer, { headers: Headers }>, lost };
      if (!keyed || Date.now() > deadline) return { kind: 'lost', lost };
      const retryAfter = isHttp(answer) ? Number(answer.headers.get('retry-after')) : Number.NaN;
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : Math.min(2_000, 100 * 2 ** attempt) * (0.5 + this.options.random() / 2));
    }
  }

  private async send(request: WriteRequest): Promise<Answer> {
    const { journal } = this.options;
    const startedAt = Date.now();
    const started = performance.now();
    let answer: Answer;
    try {
      const response = await fetch(this.options.gatewayUrl + request.path, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      answer = { status: response.status, headers: response.headers, json, text };
    } catch (error) {
      const name = (error as Error).name;
      answer = { status: name === 'TimeoutError' ? 'timeout' : 'network', error: String((error as Error).cause ?? error) };
    }
    journal.attempt(String(answer.status), performance.now() - started, startedAt);
    if (answer.status === 'timeout') journal.clientTimeouts += 1;
    if (isHttp(answer) && answer.status >= 500) {
      journal.serverErrors.total += 1;
      const clear = answer.status === 503 && (answer.headers.get('content-type') ?? '').startsWith('application/problem+json') && answer.headers.get('retry-after') !== null;
      if (clear) journal.serverErrors.clear503 += 1;
      else journal.noteUnexpected(`${request.method} ${request.path} answered ${answer.status} (${answer.headers.get('content-type')}): ${answer.text.slice(0, 300)}`);
    }
    return answer;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
