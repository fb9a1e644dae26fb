import { beforeAll, describe, expect, it } from 'vitest';
import { aggregatorFunction, dynamoDeclarationProblems, functionById, functionDefinitions, tableGrants, type FunctionDefinition } from '#shared/model/functions';
import { routes, type RouteDefinition } from '#shared/model/routes';
import { TABLE_IDS, type TableId } from '#shared/model/tables';
import { synthStage, SYNTH_TIMEOUT, type SynthesizedStage } from './synth';
import { actionsOf, logicalIdOf, roleOfFunction, statementsOfRole, type PolicyStatement } from './template-queries';

/**
 * Every function's role may call on DynamoDB exactly what its definition says its code calls (`dynamodb`
 * in shared/model/functions.ts and routes.ts): action by action, table by table and index by index, as the
 * synthesized template grants it. `test/integration/dynamodb-calls.test.ts` checks the other side: what
 * the handlers really call is inside the declaration.
 */
const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

let dev: SynthesizedStage;
let tableLogicalIds: Record<TableId, string>;
beforeAll(() => {
  dev = synthStage('dev');
  tableLogicalIds = Object.fromEntries(TABLE_IDS.map((id) => [id, logicalIdOf(dev.stacks.data.tables[id])])) as Record<TableId, string>;
}, SYNTH_TIMEOUT);

/** A statement's resources as `<table>` or `<table>/index/<name>` (or the raw resource when it is no table). */
function resourceNames(statement: PolicyStatement): string[] {
  return [statement.Resource].flat().map((resource) => {
    const text = JSON.stringify(resource);
    const named = TABLE_IDS.filter((id) => text.includes(tableLogicalIds[id]));
    if (named.length !== 1) return text;
    const index = /\/index\/([^"/]+)"/.exec(text)?.[1];
    return index ? `${named[0]}/index/${index}` : named[0]!;
  });
}

/** What a function's role may call on DynamoDB, as `<action> <table>[/index/<name>]`, the streams aside. */
function granted(definition: FunctionDefinition): string[] {
  const fn = logicalIdOf(dev.stacks.api.functions[definition.id]!.function);
  const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, fn));
  const pairs = statements.flatMap((statement) => {
    const actions = actionsOf(statement).filter((action) => action.startsWith('dynamodb:') && !STREAM_ACTIONS.includes(action));
    return actions.flatMap((action) => resourceNames(statement).map((resource) => `${action.replace(/^dynamodb:/, '')} ${resource}`));
  });
  return [...new Set(pairs)].sort();
}

/** What its definition says it calls, in the same form. */
function declared(definition: FunctionDefinition): string[] {
  return (Object.keys(definition.dynamodb ?? {}) as TableId[])
    .flatMap((table) => {
      const { reads, writes, indexes } = tableGrants(definition, table);
      return [...reads.map((action) => `${action} ${table}`), ...writes.map((action) => `${action} ${table}`), ...indexes.map((index) => `Query ${table}/index/${index}`)];
    })
    .sort();
}

describe('least privilege on DynamoDB', { timeout: SYNTH_TIMEOUT }, () => {
  it('every definition declares what it calls on each of its tables, and only on them (RO: reads only; RW: some write; real indexes)', () => {
    expect(functionDefinitions.flatMap(dynamoDeclarationProblems)).toEqual([]);
    for (const route of routes as readonly RouteDefinition[]) expect(functionById(route.id).dynamodb, route.id).toBe(route.dynamodb);
  });

  it.each(functionDefinitions.map((definition) => [definition.id, definition] as const))('%s: its role may call exactly what its definition declares', (_id, definition) => {
    expect(granted(definition)).toEqual(declared(definition));
  });

  it('no role may scan, call every action, or reach every index of a table', () => {
    for (const definition of functionDefinitions) {
      const fn = logicalIdOf(dev.stacks.api.functions[definition.id]!.function);
      const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, fn));
      const actions = statements.flatMap(actionsOf);
      expect(actions.filter((action) => ['dynamodb:Scan', 'dynamodb:*', 'dynamodb:PartiQLSelect', 'dynamodb:DescribeTable'].includes(action)), definition.id).toEqual([]);
      expect(JSON.stringify(statements), definition.id).not.toContain('index/*');
    }
  });

  it('PutReturn and ConfirmReturn put version records and nothing else: no update, delete or batch write of returnVersions, returns or locations beyond what a return needs', () => {
    for (const id of ['putReturn', 'confirmReturn']) {
      const grants = granted(functionById(id));
      expect(grants.filter((grant) => grant.endsWith(' returnVersions')), id).toEqual(['PutItem returnVersions']);
      expect(grants.filter((grant) => grant.endsWith(' returns')), id).toEqual(['PutItem returns', 'Query returns']);
      expect(grants.filter((grant) => grant.endsWith(' locations')), id).toEqual(['BatchGetItem locations', 'GetItem locations', 'UpdateItem locations']);
      expect(grants.filter((grant) => /^(DeleteItem|BatchWriteItem) (returns|returnVersions|locations)$/.test(grant)), id).toEqual([]);
    }
  });

  it('the aggregator may neither put nor delete a location: it reads them by batch, updates the latest-return copy and counts the active ones', () => {
    const onLocations = granted(aggregatorFunction).filter((grant) => / locations(\/|$)/.test(grant));
    expect(onLocations).toEqual(['BatchGetItem locations', 'Query locations/index/activeByCountry', 'Query locations/index/activeByLocalAuthority', 'Query locations/index/activeByRegion', 'UpdateItem locations']);
  });

  it('an RO table is never written, whoever binds it', () => {
    for (const definition of functionDefinitions) {
      const readOnly = (Object.keys(definition.tables) as TableId[]).filter((table) => definition.tables[table] === 'RO');
      const writes = granted(definition).filter((grant) => /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem) /.test(grant) && readOnly.includes(grant.split(' ')[1] as TableId));
      expect(writes, definition.id).toEqual([]);
    }
  });
});
