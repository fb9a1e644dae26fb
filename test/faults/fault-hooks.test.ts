import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { IdempotencyPersistenceLayerError } from '@aws-lambda-powertools/idempotency';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toProblemResponse } from '#shared/http/response';
import { addThrottling, injectedFaults, parseLocalFaults } from '#scripts/local/fault-rules';

/**
 * The hooks the fault tests rely on, one at a time: what an unreachable database is answered with, the
 * LOCAL_FAULTS grammar, and the throttling middleware inside the SDK's retries (against the real
 * DynamoDB Local of the test run).
 */
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });

describe('a database that does not answer is a 503, not a 500', () => {
  test.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'])('%s after the SDK\'s retries: 503 problem+json with Retry-After', (code) => {
    const response = toProblemResponse(networkError(code), '/v1/locations/1-101/returns/2026-12-01');
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '2' });
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 503, type: expect.stringMatching(/\/problems\/unavailable$/), detail: expect.stringMatching(/same Idempotency-Key/) });
  });

  test('the SDK\'s request timeout, and the idempotency store failing to reach DynamoDB, are 503s too', () => {
    expect(toProblemResponse(Object.assign(new Error('timed out'), { name: 'TimeoutError' })).statusCode).toBe(503);
    expect(toProblemResponse(new IdempotencyPersistenceLayerError('Failed to update success record', { cause: networkError('ECONNREFUSED') })).statusCode).toBe(503);
    // Anything else unknown is still ours: a 500.
    expect(toProblemResponse(new Error('a bug')).statusCode).toBe(500);
  });
});

describe('LOCAL_FAULTS', () => {
  test('reads throttle:<share> and crash:<records>, and refuses anything else', () => {
    expect(parseLocalFaults(undefined)).toEqual({});
    expect(parseLocalFaults('throttle:0.2, crash:40')).toEqual({ throttle: 0.2, crashAfterRecords: 40 });
    for (const bad of ['throttle', 'throttle:2', 'crash:0', 'crash:1.5', 'slow:1']) expect(() => parseLocalFaults(bad)).toThrow(/LOCAL_FAULTS/);
  });
});

describe('the throttling middleware', () => {
  const table = `fault-hooks-${randomUUID().slice(0, 8)}`;
  const admin = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
  beforeAll(async () => {
    await admin.send(
      new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
    );
  });
  afterAll(async () => {
    await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    admin.destroy();
  });

  test('rejects attempts inside the SDK\'s retry loop: two throttled attempts, then the third is sent and succeeds', async () => {
    const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, maxAttempts: 4 });
    const rolls = [0, 0];
    addThrottling(client, 0.5, () => rolls.shift() ?? 1);
    const before = { ...injectedFaults };
    const { $metadata } = await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } } }));
    expect($metadata.attempts).toBe(3);
    expect(injectedFaults.throttled - before.throttled).toBe(2);
    expect(injectedFaults.exhausted - before.exhausted).toBe(0);
    // It really reached DynamoDB Local on the third attempt.
    expect((await admin.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'a' } } }))).Item).toBeDefined();
    client.destroy();
  });

  test('a call throttled on every attempt fails with a throttling error after maxAttempts, and is counted against its table', async () => {
    const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, maxAttempts: 2 });
    addThrottling(client, 1, () => 0);
    const before = injectedFaults.exhaustedByTable[table] ?? 0;
    const error = await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'b' } } })).catch((caught: unknown) => caught as Error & { $metadata: { attempts?: number } });
    expect(['ThrottlingException', 'ProvisionedThroughputExceededException']).toContain((error as Error).name);
    expect((error as { $metadata: { attempts?: number } }).$metadata.attempts).toBe(2);
    expect(injectedFaults.exhaustedByTable[table]).toBe(before + 1);
    // And the handlers answer it as a 503 with Retry-After, never a 500 or a 400.
    expect(toProblemResponse(error)).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
    client.destroy();
  });
});
