import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tables, type TableId } from '#shared/model/tables';
import { tableName } from '#shared/runtime/settings';

/**
 * What the handlers ask of DynamoDB, function by function, as IAM sees it: each command becomes the
 * actions IAM checks (a transaction's parts one by one: PutItem, UpdateItem, DeleteItem,
 * ConditionCheckItem; a batch per table), on a table or on one of its indexes. Recorded by a middleware
 * on the handlers' shared client (`shared/runtime/dynamodb.ts`), added from outside as the local fault
 * rules are; the production client carries no hook.
 */
export interface RecordedCall {
  functionId: string;
  table: TableId;
  /** The index a Query (or Scan) read, if not the table. */
  index?: string;
  action: string;
}

const COMMAND_ACTIONS: Record<string, string> = {
  GetCommand: 'GetItem',
  GetItemCommand: 'GetItem',
  PutCommand: 'PutItem',
  PutItemCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  UpdateItemCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  DeleteItemCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchGetItemCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  BatchWriteItemCommand: 'BatchWriteItem',
  DescribeTableCommand: 'DescribeTable',
};
const TRANSACT_PARTS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** The table id a physical name belongs to (the names the local stack exported to process.env). */
function tableIdOf(name: string): TableId | undefined {
  return (Object.keys(tables) as TableId[]).find((id) => process.env[tables[id].envVar] === name);
}

/**
 * Which function is running: the local runtime runs each invocation with only its declared tables
 * (`runWithEnvironment`), so asking for a table it did not declare fails naming the function. Outside
 * any function (the tests' own reads and writes, the seed), every table is there: undefined.
 */
function runningFunction(): string | undefined {
  for (const id of Object.keys(tables) as TableId[]) {
    try {
      tableName(id);
    } catch (error) {
      const named = / is not set for (\S+?):/.exec((error as Error).message)?.[1];
      if (named) return named;
    }
  }
  return undefined;
}

/** The actions a command's input amounts to, per table (and index). */
export function actionsOf(commandName: string, input: Record<string, unknown>): Array<{ tableName: string; index?: string; action: string }> {
  if (commandName.startsWith('TransactWrite') || commandName.startsWith('TransactGet')) {
    return ((input.TransactItems ?? []) as Array<Record<string, { TableName?: string }>>).flatMap((item) =>
      Object.entries(item).flatMap(([part, body]) => (body?.TableName && TRANSACT_PARTS[part] ? [{ tableName: body.TableName, action: TRANSACT_PARTS[part]! }] : [])),
    );
  }
  const action = COMMAND_ACTIONS[commandName];
  if (!action) return [{ tableName: String(input.TableName ?? '?'), action: commandName.replace(/Command$/, '') }];
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems).map((tableName) => ({ tableName, action }));
  const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
  return [{ tableName: String(input.TableName ?? '?'), ...(index ? { index } : {}), action }];
}

export interface CallRecorder {
  calls: RecordedCall[];
  /** Each request sent (a transaction or a batch is one), by the function that sent it: what a round trip costs. */
  requests: Array<{ functionId: string | undefined; command: string }>;
  /** Calls made outside any function, or to a table the local stack does not know. */
  unattributed: number;
}

/** Starts recording on `client` (the handlers' `dynamoClient`); every call made from now on is kept. */
export function recordCalls(client: DynamoDBClient): CallRecorder {
  const recorder: CallRecorder = { calls: [], requests: [], unattributed: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const functionId = runningFunction();
      recorder.requests.push({ functionId, command: (context.commandName ?? '').replace(/Command$/, '') });
      for (const { tableName: name, index, action } of actionsOf(context.commandName ?? '', args.input as Record<string, unknown>)) {
        const table = tableIdOf(name);
        if (!functionId || !table) recorder.unattributed += 1;
        else recorder.calls.push({ functionId, table, ...(index ? { index } : {}), action });
      }
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'testRecordDynamoCalls' },
  );
  return recorder;
}

/** `functionId → table → sorted actions` (an index read as `Query:<index>`), each once. */
export function summarise(calls: readonly RecordedCall[]): Record<string, Record<string, string[]>> {
  const summary: Record<string, Record<string, Set<string>>> = {};
  for (const call of calls) {
    const byTable = (summary[call.functionId] ??= {});
    (byTable[call.table] ??= new Set()).add(call.index ? `${call.action}:${call.index}` : call.action);
  }
  return Object.fromEntries(Object.entries(summary).map(([fn, byTable]) => [fn, Object.fromEntries(Object.entries(byTable).map(([table, actions]) => [table, [...actions].sort()]))]));
}
