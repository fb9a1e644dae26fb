import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { functionDefinitions, type FunctionDefinition } from '#shared/model/functions';
import { runWithEnvironment } from '#shared/runtime/settings';
import { lambdaContext } from './lambda-context';
import { functionEnvironment, loadHandler, type LambdaHandler } from './lambda-runtime';

/**
 * A stand-in for Lambda's Invoke API on a loopback port, for the functions other functions start in the
 * background (trigger kind 'async' in `shared/model/functions.ts`), so a route's InvokeCommand from
 * `@aws-sdk/client-lambda` runs unchanged locally (LAMBDA_ENDPOINT). Only InvocationType Event: it
 * answers 202 at once, as Lambda does once the event is queued, then runs the function in this process
 * with its own environment and timeout, as the local stack runs every function. A failure (a throw, a
 * rejection, running out of time) is retried `trigger.retryAttempts` times with a growing wait, then the
 * event is written to the dead-letter file, as Lambda sends it to the function's dead-letter queue.
 * At most `reservedConcurrency` runs of a function at once; the other events wait their turn.
 */
export interface LambdaLocalOptions {
  /** JSON Lines: one line per event given up on (`DeadLetter`). */
  deadLetterFile: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * Handlers by function id, used instead of the function's entry file (tests register a failing one).
   * Each id must be an async function's.
   */
  handlers?: Readonly<Record<string, LambdaHandler>>;
  /** Wait before the first retry, doubling for each next one: default 1 000 ms (Lambda waits 1 and then 2 minutes). */
  retryDelayMs?: number;
  /** A ceiling on each function's own timeout (its definition's `timeoutSeconds`). */
  timeoutMs?: number;
  /** How long `stop` waits for running invocations before abandoning them; default 10 000 ms. */
  stopGraceMs?: number;
  log?: (line: string) => void;
}

export interface LambdaLocal {
  /** What LambdaClient({ endpoint }) is given. */
  endpoint: string;
  /**
   * Resolves when no invocation is running, queued or waiting for a retry (at once if none is). With
   * `timeoutMs`, rejects after it naming what is still pending.
   */
  idle(timeoutMs?: number): Promise<void>;
  stats(): LambdaLocalStats;
  /**
   * Refuses new invocations, writes the events still waiting (queued or between retries) to the
   * dead-letter file, and waits for running ones up to `stopGraceMs`; one still running then is abandoned
   * (it runs on in this process; its event is dead-lettered too).
   */
  stop(): Promise<void>;
}

export interface LambdaLocalStats {
  /** Events accepted (202). */
  accepted: number;
  /** Handler runs, first attempts and retries. */
  attempts: number;
  succeeded: number;
  deadLettered: number;
}

/** One line of the dead-letter file. */
export interface DeadLetter {
  functionName: string;
  payload: unknown;
  /** The last attempt's error. */
  error: string;
  /** Attempts made (0 when the stack stopped before the first). */
  attempts: number;
  /** When it was given up on (ISO 8601). */
  at: string;
  /** The request id the invocation was accepted with (each attempt's context has it too, as in Lambda). */
  requestId: string;
  condition: 'RetriesExhausted' | 'EventAgeExceeded' | 'Stopped';
}

/** Lambda's limit on an asynchronous invocation's payload. */
const MAX_EVENT_BYTES = 256 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

interface Invocation {
  requestId: string;
  definition: FunctionDefinition & { trigger: { kind: 'async'; retryAttempts: number; maximumEventAgeSeconds: number } };
  payload: unknown;
  receivedAt: number;
  attempts: number;
  lastError: string;
  retryTimer?: NodeJS.Timeout;
}

type AsyncDefinition = Invocation['definition'];

const isAsync = (definition: FunctionDefinition): definition is AsyncDefinition => definition.trigger.kind === 'async';

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);

class FunctionTimeout extends Error {
  override name = 'FunctionTimeout';
}

/** The function id in a FunctionName: a name, `name:qualifier`, or a full or partial ARN. */
function functionIdOf(functionName: string): string {
  const fromArn = /(?:^|:)function:([^:]+)/.exec(functionName);
  return fromArn ? fromArn[1]! : functionName.split(':')[0]!;
}

export async function startLambdaLocal(options: LambdaLocalOptions): Promise<LambdaLocal> {
  const log = options.log ?? (() => undefined);
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  const functions = new Map(functionDefinitions.filter(isAsync).map((definition) => [definition.id, definition]));
  for (const id of Object.keys(options.handlers ?? {})) {
    if (!functions.has(id)) throw new Error(`a handler was given for ${id}, which is not a function invoked asynchronously (trigger kind 'async')`);
  }
  if (existsSync(options.deadLetterFile)) {
    const earlier = readFileSync(options.deadLetterFile, 'utf8').split('\n').filter(Boolean).length;
    if (earlier > 0) log(`${earlier} event(s) from earlier runs are in ${options.deadLetterFile}`);
  }

  const counters: LambdaLocalStats = { accepted: 0, attempts: 0, succeeded: 0, deadLettered: 0 };
  /** Every event not yet done with: running, queued, or waiting for a retry. */
  const pending = new Set<Invocation>();
  const running = new Map<Invocation, Promise<void>>();
  const queues = new Map<string, Invocation[]>();
  const idleWaiters = new Set<() => void>();
  let stopping = false;

  const settle = (invocation: Invocation) => {
    pending.delete(invocation);
    if (pending.size === 0) for (const wake of [...idleWaiters]) wake();
  };

  const deadLetter = async (invocation: Invocation, condition: DeadLetter['condition'], error: string) => {
    const line: DeadLetter = {
      functionName: invocation.definition.id,
      payload: invocation.payload,
      error,
      attempts: invocation.attempts,
      at: new Date().toISOString(),
      requestId: invocation.requestId,
      condition,
    };
    try {
      await mkdir(dirname(options.deadLetterFile), { recursive: true });
      await appendFile(options.deadLetterFile, `${JSON.stringify(line)}\n`);
      counters.deadLettered += 1;
      log(`${line.functionName} ${line.requestId}: gave up after ${line.attempts} attempt(s) (${error}); written to ${options.deadLetterFile}`);
    } catch (writeError) {
      log(`${line.functionName} ${line.requestId}: could not write the dead-letter file (${describeError(writeError)}); the event was ${JSON.stringify(line)}`);
    }
  };

  const runningCount = (id: string) => [...running.keys()].filter((invocation) => invocation.definition.id === id).length;

  /** Start queued events of `id` while it is under its concurrency limit. */
  const dispatch = (id: string) => {
    const queue = queues.get(id) ?? [];
    const limit = functions.get(id)?.reservedConcurrency ?? Number.POSITIVE_INFINITY;
    while (!stopping && queue.length > 0 && runningCount(id) < limit) {
      const invocation = queue.shift()!;
      const attempt = runAttempt(invocation).finally(() => {
        running.delete(invocation);
        dispatch(id);
      });
      running.set(invocation, attempt);
    }
  };

  const enqueue = (invocation: Invocation) => {
    const id = invocation.definition.id;
    queues.set(id, [...(queues.get(id) ?? []), invocation]);
    dispatch(id);
  };

  const attemptOnce = async (invocation: Invocation): Promise<void> => {
    const { definition } = invocation;
    const timeoutMs = Math.min(definition.timeoutSeconds * 1000, options.timeoutMs ?? Number.POSITIVE_INFINITY);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FunctionTimeout(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)), timeoutMs);
    });
    try {
      const run = (async () => {
        const handler = options.handlers?.[definition.id] ?? (await loadHandler(definition.handler));
        // A fresh copy each time: a handler that changes its event must not change what a retry gets.
        const event = structuredClone(invocation.payload);
        const context = { ...lambdaContext(definition.id, timeoutMs), awsRequestId: invocation.requestId };
        return runWithEnvironment(definition.id, functionEnvironment(definition), () => handler(event, context));
      })();
      // Lambda would stop a timed-out run; here it runs on, and what it does after is ignored.
      await Promise.race([run, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  const runAttempt = async (invocation: Invocation): Promise<void> => {
    const { definition } = invocation;
    invocation.attempts += 1;
    counters.attempts += 1;
    try {
      await attemptOnce(invocation);
      counters.succeeded += 1;
      settle(invocation);
      return;
    } catch (error) {
      invocation.lastError = describeError(error);
    }
    if (stopping) return; // stop() dead-letters it
    const { retryAttempts, maximumEventAgeSeconds } = definition.trigger;
    if (invocation.attempts > retryAttempts) {
      await deadLetter(invocation, 'RetriesExhausted', invocation.lastError);
      settle(invocation);
      return;
    }
    const delay = retryDelayMs * 2 ** (invocation.attempts - 1);
    if (Date.now() + delay - invocation.receivedAt > maximumEventAgeSeconds * 1000) {
      await deadLetter(invocation, 'EventAgeExceeded', invocation.lastError);
      settle(invocation);
      return;
    }
    log(`${definition.id} ${invocation.requestId}: attempt ${invocation.attempts} of ${retryAttempts + 1} failed (${invocation.lastError}); retrying in ${delay} ms`);
    invocation.retryTimer = setTimeout(() => {
      invocation.retryTimer = undefined;
      enqueue(invocation);
    }, delay);
  };

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, requestId: string = randomUUID()) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      'x-amzn-RequestId': requestId,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    });
    response.end(text);
  };
  /** Lambda's error shape: the type in a header, `{ Type, message }` in the body. */
  const fail = (response: ServerResponse, status: number, errorType: string, message: string) =>
    send(response, status, { Type: 'User', message }, { 'x-amzn-ErrorType': errorType });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const match = INVOKE_PATH.exec(path);
    if (request.method !== 'POST' || !match) return fail(response, 404, 'UnknownOperationException', `Unknown operation ${request.method} ${path}`);
    if (stopping) return fail(response, 503, 'ServiceException', 'The local Lambda endpoint is stopping.');

    const functionName = decodeURIComponent(match[1]!);
    const definition = functions.get(functionIdOf(functionName));
    if (!definition) {
      const arn = functionName.startsWith('arn:') ? functionName : `arn:aws:lambda:${process.env.AWS_REGION ?? 'eu-west-2'}:000000000000:function:${functionName}`;
      return fail(response, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType !== 'Event') {
      return fail(
        response,
        400,
        'InvalidParameterValueException',
        `Only InvocationType Event is supported by the local Lambda endpoint (this was ${invocationType}); functions invoked synchronously run in process instead.`,
      );
    }
    if (body.length > MAX_EVENT_BYTES) {
      return fail(response, 413, 'RequestTooLargeException', `Request must be smaller than ${MAX_EVENT_BYTES} bytes for the Event invocation type.`);
    }
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return fail(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload is not valid JSON.');
    }

    const invocation: Invocation = { requestId: randomUUID(), definition, payload, receivedAt: Date.now(), attempts: 0, lastError: '' };
    counters.accepted += 1;
    pending.add(invocation);
    send(response, 202, undefined, {}, invocation.requestId);
    enqueue(invocation);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) fail(response, 500, 'ServiceException', describeError(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ ...counters }),
    idle: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (pending.size === 0) return resolve();
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          resolve();
        };
        idleWaiters.add(done);
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => {
            idleWaiters.delete(done);
            const what = [...pending].map((invocation) => `${invocation.definition.id} ${invocation.requestId} (${running.has(invocation) ? 'running' : 'waiting'}, ${invocation.attempts} attempt(s))`);
            reject(new Error(`the local Lambda endpoint is not idle after ${timeoutMs} ms: ${what.join('; ')}`));
          }, timeoutMs);
        }
      }),
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        // Waiting events: queued, or between retries.
        for (const invocation of pending) {
          if (running.has(invocation)) continue;
          clearTimeout(invocation.retryTimer);
          await deadLetter(invocation, 'Stopped', `the local stack stopped before attempt ${invocation.attempts + 1}${invocation.lastError ? ` (the last failed: ${invocation.lastError})` : ''}`);
          settle(invocation);
        }
        queues.clear();
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(running.values()), new Promise((resolve) => (grace = setTimeout(resolve, stopGraceMs)))]);
        clearTimeout(grace);
        // Failed while stopping, or still running after the grace period.
        for (const invocation of [...pending]) {
          const reason = running.has(invocation) ? `still running ${stopGraceMs} ms after the local stack began to stop; abandoned` : `the local stack stopped before a retry (the last attempt failed: ${invocation.lastError})`;
          await deadLetter(invocation, 'Stopped', reason);
          settle(invocation);
        }
        for (const wake of [...idleWaiters]) wake();
      })()),
  };
}
