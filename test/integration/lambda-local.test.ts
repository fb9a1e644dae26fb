import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { exportWorkerFunction } from '#shared/model/async-functions';
import { setting } from '#shared/runtime/settings';
import { startLambdaLocal, type DeadLetter, type LambdaLocal, type LambdaLocalOptions } from '#scripts/local/lambda-local';
import type { LambdaHandler } from '#scripts/local/lambda-runtime';

/**
 * The local stand-in for Lambda's asynchronous Invoke API (scripts/local/lambda-local.ts), called with the
 * real @aws-sdk/client-lambda, with handlers registered in place of the export worker's entry file.
 */
const workDir = mkdtempSync(join(tmpdir(), 'lambda-local-test-'));
const started: LambdaLocal[] = [];
const clients: LambdaClient[] = [];
let fileCount = 0;

afterEach(async () => {
  await Promise.all(started.splice(0).map((endpoint) => endpoint.stop()));
  for (const client of clients.splice(0)) client.destroy();
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Call {
  event: unknown;
  requestId: string;
  at: number;
  bucket: string;
  undeclared: string;
}

/** A stand-in whose export worker is `behave`, recording each call; retries 50 ms apart. */
async function start(behave: (event: any) => Promise<unknown>, options: Partial<LambdaLocalOptions> = {}) {
  const calls: Call[] = [];
  const handler: LambdaHandler = async (event: unknown, context: Context) => {
    // Inside the function's own environment: its declared setting is there, another function's is not.
    let undeclared = 'readable';
    try {
      setting('EXPORT_WORKER_FUNCTION');
    } catch (error) {
      undeclared = (error as Error).message;
    }
    calls.push({ event, requestId: context.awsRequestId, at: Date.now(), bucket: setting('EXPORTS_BUCKET'), undeclared });
    return behave(event);
  };
  const deadLetterFile = join(workDir, `dead-letters-${++fileCount}.jsonl`);
  const local = await startLambdaLocal({ deadLetterFile, handlers: { exportWorker: handler }, retryDelayMs: 50, ...options });
  started.push(local);
  const client = new LambdaClient({ endpoint: local.endpoint, maxAttempts: 1 });
  clients.push(client);
  const deadLetters = (): DeadLetter[] => (existsSync(deadLetterFile) ? readFileSync(deadLetterFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)) : []);
  return { local, client, calls, deadLetters };
}

const invoke = (client: LambdaClient, payload: unknown, functionName: string = exportWorkerFunction.id, invocationType: 'Event' | 'RequestResponse' = 'Event') =>
  client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: invocationType, Payload: Buffer.from(JSON.stringify(payload)) }));

process.env.EXPORTS_BUCKET = 'lambda-local-test-bucket';
process.env.EXPORT_WORKER_FUNCTION = exportWorkerFunction.id;
const { retryAttempts } = exportWorkerFunction.trigger;

describe('the local Lambda Invoke API, InvocationType Event', () => {
  test('answers 202 with an empty body at once, then runs the function with the event in its own environment', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { local, client, calls, deadLetters } = await start(() => gate);

    const answer = await invoke(client, { exportId: 'e-1', rows: [1, 2, 3] });

    expect(answer.StatusCode).toBe(202);
    expect(answer.Payload?.length ?? 0).toBe(0);
    expect(answer.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Accepted while the function is still running.
    let idle = false;
    const waiting = local.idle().then(() => (idle = true));
    await expect.poll(() => calls.length).toBe(1);
    expect(idle).toBe(false);
    release();
    await waiting;

    expect(calls).toEqual([
      {
        event: { exportId: 'e-1', rows: [1, 2, 3] },
        requestId: answer.$metadata.requestId,
        at: expect.any(Number),
        bucket: 'lambda-local-test-bucket',
        undeclared: expect.stringContaining('EXPORT_WORKER_FUNCTION is not set for exportWorker'),
      },
    ]);
    expect(local.stats()).toEqual({ accepted: 1, attempts: 1, succeeded: 1, deadLettered: 0 });
    expect(deadLetters()).toEqual([]);
  });

  test('takes the function by name, by name and qualifier, or by ARN', async () => {
    const { local, client, calls } = await start(async () => undefined);
    for (const name of ['exportWorker', 'exportWorker:$LATEST', 'arn:aws:lambda:eu-west-2:123456789012:function:exportWorker']) {
      expect((await invoke(client, { name }, name)).StatusCode).toBe(202);
    }
    await local.idle(5_000);
    expect(calls.map((call) => call.event)).toEqual(expect.arrayContaining([{ name: 'exportWorker' }, { name: 'exportWorker:$LATEST' }, { name: 'arn:aws:lambda:eu-west-2:123456789012:function:exportWorker' }]));
  });

  test('a function that fails is retried retryAttempts times, then its event is dead-lettered with its payload', async () => {
    const { local, client, calls, deadLetters } = await start(async () => {
      throw new TypeError('the export query failed');
    });

    expect((await invoke(client, { exportId: 'e-fail' })).StatusCode).toBe(202);
    await local.idle(5_000);

    expect(calls).toHaveLength(retryAttempts + 1);
    // The same event and request id each time, 50 ms and then 100 ms apart.
    expect(new Set(calls.map((call) => call.requestId)).size).toBe(1);
    expect(calls.every((call) => JSON.stringify(call.event) === '{"exportId":"e-fail"}')).toBe(true);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(45);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(95);
    expect(deadLetters()).toEqual([
      {
        functionName: 'exportWorker',
        payload: { exportId: 'e-fail' },
        error: 'TypeError: the export query failed',
        attempts: retryAttempts + 1,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        requestId: calls[0]!.requestId,
        condition: 'RetriesExhausted',
      },
    ]);
    expect(local.stats()).toEqual({ accepted: 1, attempts: retryAttempts + 1, succeeded: 0, deadLettered: 1 });
  });

  test('a failure that a retry gets past is not dead-lettered', async () => {
    let runs = 0;
    const { local, client, calls, deadLetters } = await start(async () => {
      runs += 1;
      if (runs === 1) throw new Error('DynamoDB was busy');
    });
    await invoke(client, { exportId: 'e-flaky' });
    await local.idle(5_000);
    expect(calls).toHaveLength(2);
    expect(deadLetters()).toEqual([]);
    expect(local.stats()).toMatchObject({ succeeded: 1, deadLettered: 0 });
  });

  test('running past its timeout is a failure, retried and then dead-lettered', async () => {
    const { local, client, calls, deadLetters } = await start(() => new Promise(() => undefined), { timeoutMs: 100 });
    await invoke(client, { exportId: 'e-slow' });
    await local.idle(5_000);
    expect(calls).toHaveLength(retryAttempts + 1);
    expect(deadLetters()).toMatchObject([{ payload: { exportId: 'e-slow' }, error: 'FunctionTimeout: Task timed out after 0.10 seconds', attempts: retryAttempts + 1 }]);
  });

  test('no more runs at once than the function’s reserved concurrency; the rest wait their turn', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { local, client, calls } = await start(() => gate);
    await Promise.all(Array.from({ length: 10 }, (_, i) => invoke(client, { i })));
    // Every event is accepted; a run starts as its event is queued, so the first ones are running by now.
    expect(local.stats()).toMatchObject({ accepted: 10 });
    expect(calls).toHaveLength(exportWorkerFunction.reservedConcurrency);
    release();
    await local.idle(5_000);
    expect(calls).toHaveLength(10);
    expect(local.stats()).toEqual({ accepted: 10, attempts: 10, succeeded: 10, deadLettered: 0 });
  });

  test('stop dead-letters an event still waiting for its retry', async () => {
    const { local, client, calls, deadLetters } = await start(
      async () => {
        throw new Error('no S3');
      },
      { retryDelayMs: 60_000 },
    );
    await invoke(client, { exportId: 'e-stopped' });
    await expect.poll(() => calls.length).toBe(1);
    await local.stop();
    await local.idle(100);
    expect(deadLetters()).toMatchObject([{ payload: { exportId: 'e-stopped' }, attempts: 1, condition: 'Stopped', error: expect.stringContaining('no S3') }]);
  });
});

describe('what the local Lambda Invoke API refuses, as the SDK reports it', () => {
  test('an unknown function: ResourceNotFoundException', async () => {
    const { client, calls } = await start(async () => undefined);
    const error = await invoke(client, {}, 'noSuchFunction').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', Type: 'User', message: expect.stringContaining('Function not found: arn:aws:lambda:'), $metadata: { httpStatusCode: 404 } });
    expect(calls).toEqual([]);
  });

  test('a synchronous invocation (RequestResponse): 400, only Event is supported locally', async () => {
    const { client, calls } = await start(async () => undefined);
    const error = await invoke(client, {}, exportWorkerFunction.id, 'RequestResponse').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('Only InvocationType Event'), $metadata: { httpStatusCode: 400 } });
    expect(calls).toEqual([]);
  });

  test('a payload that is not JSON, or larger than 256 KB', async () => {
    const { client } = await start(async () => undefined);
    await expect(client.send(new InvokeCommand({ FunctionName: 'exportWorker', InvocationType: 'Event', Payload: Buffer.from('{not json') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(invoke(client, { big: 'x'.repeat(256 * 1024) })).rejects.toMatchObject({ name: 'RequestTooLargeException', $metadata: { httpStatusCode: 413 } });
  });
});

describe('invokeAsync (shared/runtime/lambda.ts)', () => {
  test('sends the payload to the function named by its setting, through LAMBDA_ENDPOINT', async () => {
    const { local, calls } = await start(async () => undefined);
    process.env.LAMBDA_ENDPOINT = local.endpoint;
    // The module makes its client when it loads, from LAMBDA_ENDPOINT, as a handler's does.
    const { invokeAsync } = await import('#shared/runtime/lambda');
    await invokeAsync('exportWorker', { exportId: 'e-route', at: '2026-11-30T12:00:00Z' });
    await local.idle(5_000);
    expect(calls.map((call) => call.event)).toEqual([{ exportId: 'e-route', at: '2026-11-30T12:00:00Z' }]);
  });
});
