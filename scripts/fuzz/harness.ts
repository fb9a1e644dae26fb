/**
 * The fuzzing property and its runner, shared by `npm run fuzz` and the test in test/fuzz/: send each
 * generated request over real HTTP, check the answer against what the model says, check that no table
 * changed, and check the gateway's health after every batch.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { REPO_ROOT } from '../local/lambda-runtime';
import { describeCase, fuzzCase, type FuzzCase } from './generators';
import { snapshotDiff, type FuzzTarget, type Snapshot } from './target';

export interface FuzzResponse {
  /** undefined: the connection closed without an answer (framing cases only). */
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ms: number;
  /** Framing cases: every status line read from the socket. */
  statuses?: number[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Node's client sends a repeated header as several lines when given an array. */
function nodeHeaders(pairs: Array<[string, string]>): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const previous = headers[name];
    headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return headers;
}

function sendHttp(target: Pick<FuzzTarget, 'host' | 'port'>, value: FuzzCase, timeoutMs: number): Promise<FuzzResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.host,
        port: target.port,
        method: value.method,
        path: value.path,
        // Node's client frames a GET's (or DELETE's) body only when told its length; without it the bytes would be a second request.
        headers: { ...nodeHeaders(value.headers), ...(value.body !== undefined ? { 'content-length': String(value.body.byteLength) } : {}) },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms (a hang)`)));
    req.on('error', reject);
    req.end(value.body);
  });
}

/** Framing cases: the bytes as they are, on a socket of their own; every status line that comes back. */
function sendRaw(target: Pick<FuzzTarget, 'host' | 'port'>, value: FuzzCase, timeoutMs: number): Promise<FuzzResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(target.port, target.host, () => {
      socket.write(value.raw!.bytes);
      if (value.raw!.halfClose) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection neither answered nor closed within ${timeoutMs} ms (a hang)`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer is the server closing: judged by what was read
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1]));
      resolve({ status: statuses[0], statuses, headers: {}, body: Buffer.concat(chunks), ms: performance.now() - started });
    });
  });
}

export function send(target: Pick<FuzzTarget, 'host' | 'port'>, value: FuzzCase, timeoutMs = 15_000): Promise<FuzzResponse> {
  return value.raw ? sendRaw(target, value, timeoutMs) : sendHttp(target, value, timeoutMs);
}

const is4xx = (status: number | undefined) => status !== undefined && status >= 400 && status < 500;
const LEAKS = [/\n\s+at /, /node_modules/, new RegExp(REPO_ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), /ValidationException|TypeError|RangeError|SyntaxError: Unexpected/];

/** What is wrong with an answer, by the property: nothing when the list is empty. */
export function checkResponse(value: FuzzCase, response: FuzzResponse): string[] {
  const problems: string[] = [];
  const status = response.status;
  if (value.kind === 'framing') {
    // Answered below the API, by Node's HTTP parser: any 4xx (it sends no body), or the connection closed.
    const statuses = response.statuses ?? (status !== undefined ? [status] : []);
    if (statuses.some((code) => !is4xx(code))) problems.push(`framing: got ${statuses.join(', ')}, want 4xx or a closed connection`);
    if (value.expect && !statuses.every((code) => value.expect!.includes(code))) problems.push(`framing: got ${statuses.join(', ')}, want ${value.expect.join(' or ')}`);
    return problems;
  }
  if (value.kind === 'probe' && status !== undefined && status >= 200 && status < 300) return problems;
  if (!is4xx(status)) {
    problems.push(`status ${status}, want ${value.kind === 'probe' ? '2xx or 4xx' : '4xx'}`);
    return problems;
  }
  if (value.expect && !value.expect.includes(status!)) problems.push(`status ${status}, want ${value.expect.join(' or ')}`);
  const contentType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (contentType !== 'application/problem+json') problems.push(`content-type ${JSON.stringify(response.headers['content-type'])}, want application/problem+json`);
  if (status === 401 && !response.headers['www-authenticate']) problems.push('401 without WWW-Authenticate');
  if (status === 405 && !response.headers.allow) problems.push('405 without Allow');
  if (value.method === 'HEAD') return problems; // no body to read
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    problems.push('the body is not JSON');
    return problems;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [...problems, 'the body is not a JSON object'];
  const problem = body as Record<string, unknown>;
  if (typeof problem.type !== 'string' || problem.type === '') problems.push('no type');
  if (typeof problem.title !== 'string' || problem.title === '') problems.push('no title');
  if (problem.status !== status) problems.push(`body status ${JSON.stringify(problem.status)} is not the HTTP status ${status}`);
  if (problem.detail !== undefined && typeof problem.detail !== 'string') problems.push('detail is not a string');
  if (status === 400) {
    const errors = problem.errors;
    if (!Array.isArray(errors) || errors.length === 0) problems.push('a 400 without errors[]');
    else if (!errors.every((error) => typeof error?.path === 'string' && typeof error?.message === 'string')) problems.push('errors[] without path and message');
  }
  const text = `${String(problem.title)} ${String(problem.detail ?? '')}`;
  const leak = LEAKS.find((pattern) => pattern.test(text));
  if (leak) problems.push(`the answer shows internals (${leak})`);
  return problems;
}

export function describeResponse(response: FuzzResponse): string {
  const text = response.body.toString('utf8');
  return `${response.status ?? 'closed'} ${JSON.stringify(response.headers['content-type'] ?? null)} ${text.length > 600 ? `${text.slice(0, 600)}…` : text}`;
}

/** The gateway answers GET /v1/health with 200 JSON. */
export async function healthCheck(target: Pick<FuzzTarget, 'url'>): Promise<string | undefined> {
  try {
    const response = await fetch(`${target.url}/v1/health`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) return `GET /v1/health answered ${response.status}`;
    await response.json();
    return undefined;
  } catch (error) {
    return `GET /v1/health failed: ${(error as Error).message}`;
  }
}

/** Requests by route and status, by kind, and the time they took. Requests made while shrinking are counted apart. */
export class FuzzStats {
  requests = 0;
  shrinkRequests = 0;
  byLabel = new Map<string, Map<string, number>>();
  byStatus = new Map<string, number>();
  byKind = new Map<string, number>();
  byKindStatus = new Map<string, Map<string, number>>();
  byRoute = new Map<string, number>();
  defects = new Map<string, number>();
  slowest = { ms: 0, request: '' };
  totalMs = 0;
  /** Set once a run failed: what follows in that run is fast-check shrinking. */
  shrinking = false;

  record(value: FuzzCase, response: FuzzResponse | undefined): void {
    if (this.shrinking) {
      this.shrinkRequests += 1;
      return;
    }
    this.requests += 1;
    const status = response === undefined ? 'no answer' : response.status === undefined ? 'closed' : String(response.status);
    const label = this.byLabel.get(value.label) ?? new Map<string, number>();
    label.set(status, (label.get(status) ?? 0) + 1);
    this.byLabel.set(value.label, label);
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    this.byKind.set(value.kind, (this.byKind.get(value.kind) ?? 0) + 1);
    const kind = this.byKindStatus.get(value.kind) ?? new Map<string, number>();
    kind.set(status, (kind.get(status) ?? 0) + 1);
    this.byKindStatus.set(value.kind, kind);
    this.byRoute.set(value.route, (this.byRoute.get(value.route) ?? 0) + 1);
    for (const defect of value.defects) {
      const name = defect.replace(/^token: .*/, 'token');
      this.defects.set(name, (this.defects.get(name) ?? 0) + 1);
    }
    if (response) {
      this.totalMs += response.ms;
      if (response.ms > this.slowest.ms) this.slowest = { ms: response.ms, request: `${value.method} ${value.path.slice(0, 80)}` };
    }
  }
}

export interface PropertyOptions {
  /** A health check after every this many requests. */
  batchSize: number;
  timeoutMs?: number;
  onBatch?: (requests: number) => void;
}

/**
 * The property: for one generated request, the answer is what the model allows (4xx problem+json for
 * every malformed or refused request), no table changed, and after every batch the gateway is healthy.
 */
export function fuzzProperty(target: FuzzTarget, stats: FuzzStats, options: PropertyOptions) {
  let baseline: Snapshot | undefined;
  let sent = 0;
  return fc.asyncProperty(fuzzCase(target.world), async (value) => {
    baseline ??= await target.snapshot();
    let response: FuzzResponse;
    try {
      response = await send(target, value, options.timeoutMs);
    } catch (error) {
      stats.record(value, undefined);
      stats.shrinking = true;
      throw new Error(`no answer: ${(error as Error).message}`);
    }
    stats.record(value, response);
    const problems = checkResponse(value, response);
    const after = await target.snapshot();
    const changed = snapshotDiff(baseline, after);
    if (changed.length > 0) {
      baseline = after;
      problems.push(`something was written: ${changed.join('; ')}`);
    }
    sent += 1;
    if (sent % options.batchSize === 0 && !stats.shrinking) {
      const down = await healthCheck(target);
      if (down) problems.push(`the gateway is not healthy after this batch: ${down}`);
      options.onBatch?.(stats.requests);
    }
    if (problems.length > 0) {
      stats.shrinking = true;
      throw new Error(`${problems.join('\n')}\nanswer: ${describeResponse(response)}`);
    }
  });
}

export interface FuzzFailure {
  seed: number;
  path: string;
  counterexample: string;
  error: string;
  shrinks: number;
}

/**
 * Run `runs` requests: fast-check from `seed`; after a failure (shrunk and recorded), on with the next
 * seed for the runs that remain, until `maxFailures`. Replay one failure with its seed and path.
 */
export async function runFuzz(
  target: FuzzTarget,
  options: { runs: number; seed: number; path?: string; batchSize: number; maxFailures: number; onBatch?: (requests: number, stats: FuzzStats, failures: number) => void },
): Promise<{ stats: FuzzStats; failures: FuzzFailure[] }> {
  const stats = new FuzzStats();
  const failures: FuzzFailure[] = [];
  let remaining = options.runs;
  let seed = options.seed;
  while (remaining > 0 && failures.length < options.maxFailures) {
    stats.shrinking = false;
    const details = await fc.check(
      fuzzProperty(target, stats, { batchSize: options.batchSize, onBatch: (requests) => options.onBatch?.(requests, stats, failures.length) }),
      { numRuns: remaining, seed, ...(options.path ? { path: options.path } : {}) },
    );
    if (!details.failed) break;
    const [counterexample] = details.counterexample ?? [];
    failures.push({
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      counterexample: counterexample ? describeCase(counterexample) : '(none)',
      error: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
      shrinks: details.numShrinks,
    });
    if (options.path) break;
    remaining -= details.numRuns;
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) | 0;
  }
  return { stats, failures };
}
