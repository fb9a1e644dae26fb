import { describe, expect, test } from 'vitest';
import { keys } from '#shared/model/keys';
import { ProblemError } from '#shared/model/errors';
import { dynamoClient } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { batchGetKeys, getItemsInOneBatch } from '#shared/repositories/batch-get';
import { putUsers } from '#shared/repositories/users';

/**
 * The one retry loop of every batch read (`shared/repositories/batch-get.ts`), against the run's DynamoDB
 * Local: any number of keys, repeats and unknown keys, and keys DynamoDB leaves unprocessed (made so here
 * by a middleware that holds back some of an answer, as throttling would).
 */
const run = `batch-get-${Date.now()}`;
const userIds = Array.from({ length: 150 }, (_, i) => `${run}-${i}`);
const stored = () =>
  putUsers(userIds.map((userId) => ({ userId, email: `${userId}@x.example`, role: 'provider' as const, areas: [], status: 'active' as const, createdAt: new Date().toISOString(), createdBy: 'test' })));

/** The next `times` BatchGetItem answers leave their second half of keys (or `all` of them) unprocessed. */
function holdBack(times: number, all = false): { requests: () => number; stop: () => void } {
  const name = `hold-back-${Math.random()}`;
  let left = times;
  let requests = 0;
  dynamoClient.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'BatchGetItemCommand') return result;
      requests += 1;
      if (left <= 0) return result;
      left -= 1;
      const input = args.input as { RequestItems: Record<string, { Keys: Array<Record<string, { S: string }>> }> };
      const output = result.output as { Responses: Record<string, Array<Record<string, { S?: string }>>>; UnprocessedKeys?: Record<string, unknown> };
      const unprocessed: Record<string, unknown> = {};
      for (const [table, request] of Object.entries(input.RequestItems)) {
        const held = all ? request.Keys : request.Keys.slice(Math.ceil(request.Keys.length / 2));
        if (held.length === 0) continue;
        const heldKeys = new Set(held.map((key) => JSON.stringify(key)));
        const keyNames = Object.keys(held[0]!);
        output.Responses[table] = (output.Responses[table] ?? []).filter((item) => !heldKeys.has(JSON.stringify(Object.fromEntries(keyNames.map((name) => [name, item[name]])))));
        unprocessed[table] = { ...request, Keys: held };
      }
      output.UnprocessedKeys = unprocessed;
      return result;
    },
    { step: 'initialize', name },
  );
  return { requests: () => requests, stop: () => dynamoClient.middlewareStack.remove(name) };
}

describe('batchGetKeys', () => {
  test('any number of keys, repeated and unknown ones among them: each stored item once, asking again for what was left unprocessed', async () => {
    await stored();
    const asked = [...userIds, ...userIds.slice(0, 40), ...Array.from({ length: 30 }, (_, i) => `${run}-missing-${i}`)].map((id) => keys.user(id));
    const held = holdBack(2);
    try {
      const items = await batchGetKeys(tableName('users'), asked);
      expect(items.map((item) => item.userId).sort()).toEqual([...userIds].sort());
      // 180 distinct keys: two requests, each held back once, then their rest.
      expect(held.requests()).toBe(4);
    } finally {
      held.stop();
    }
  });
});

describe('getItemsInOneBatch', () => {
  test('items of several tables in one request, answered in the order asked, undefined for none', async () => {
    await stored();
    const [first, missing, last] = await getItemsInOneBatch([
      { table: tableName('users'), key: keys.user(userIds[0]!) },
      { table: tableName('locations'), key: keys.location('1-999999999'), consistentRead: true },
      { table: tableName('users'), key: keys.user(userIds[149]!) },
    ]);
    expect(first?.userId).toBe(userIds[0]);
    expect(missing).toBeUndefined();
    expect(last?.userId).toBe(userIds[149]);
  });

  test('keys still unprocessed after six requests: a 503 that says to retry', async () => {
    await stored();
    const held = holdBack(100, true);
    try {
      const failure = await getItemsInOneBatch(userIds.slice(0, 4).map((id) => ({ table: tableName('users'), key: keys.user(id) }))).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ProblemError);
      expect((failure as ProblemError).status).toBe(503);
      expect(held.requests()).toBe(6);
    } finally {
      held.stop();
    }
  });

  test('refuses to mix consistent and eventually consistent reads of one table', async () => {
    const table = tableName('users');
    await expect(getItemsInOneBatch([{ table, key: keys.user('a') }, { table, key: keys.user('b'), consistentRead: true }])).rejects.toThrow(/one consistency/);
  });
});
