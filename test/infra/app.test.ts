import { App, type CfnElement } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCapacityTracker, type CapacityTrackerStacks } from '../../infra/capacity-tracker';
import { fallbackRoute, routes, type TableAccess } from '../../shared/routes';
import { TABLE_IDS, createTableInput, tables, type TableDefinition, type TableId } from '../../shared/tables';
import {
  actionsOf,
  environmentOf,
  functionBehindRoute,
  matchResource,
  resourceById,
  roleOfFunction,
  statementsOfRole,
  type PolicyStatement,
} from './template-queries';

// One synth per stage costs seconds, so each stage is built once and every test reads that template.
const SYNTH_TIMEOUT = 120_000;
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const BASE_ENVIRONMENT = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'];

interface Synthesized {
  stacks: CapacityTrackerStacks;
  data: Template;
  api: Template;
  tableLogicalIds: Record<TableId, string>;
}

function newApp(context: Record<string, unknown>): App {
  // An empty bundling-stacks list makes NodejsFunction skip esbuild; `npm run synth` covers real bundling.
  return new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

function synth(stage: 'dev' | 'prod'): Synthesized {
  const stacks = buildCapacityTracker(newApp({ stage }));
  const tableLogicalIds = Object.fromEntries(
    TABLE_IDS.map((id) => [id, stacks.data.getLogicalId(stacks.data.tables[id].node.defaultChild as CfnElement)]),
  ) as Record<TableId, string>;
  return { stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api), tableLogicalIds };
}

const served = [
  ...routes.map((route) => ({ id: route.id, routeKey: `${route.method} ${route.path}`, tables: route.tables as Partial<Record<TableId, TableAccess>> })),
  { id: fallbackRoute.id, routeKey: '$default', tables: fallbackRoute.tables as Partial<Record<TableId, TableAccess>> },
];

function tablesNamedIn(value: unknown, logicalIds: Record<TableId, string>): TableId[] {
  const text = JSON.stringify(value);
  return TABLE_IDS.filter((id) => text.includes(logicalIds[id]));
}

describe('stage selection', () => {
  it('defaults to dev when no stage is given', () => {
    const { data, api } = buildCapacityTracker(newApp({}));
    expect([data.stackName, api.stackName]).toEqual(['CapacityTracker-dev-Data', 'CapacityTracker-dev-Api']);
  });

  it('refuses an unknown stage', () => {
    expect(() => buildCapacityTracker(newApp({ stage: 'prd' }))).toThrow(/Unknown stage "prd"/);
  });
});

describe('dev stage', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: Synthesized;
  beforeAll(() => {
    dev = synth('dev');
  }, SYNTH_TIMEOUT);

  describe('tables', () => {
    it('builds exactly the tables of shared/tables.ts', () => {
      dev.data.resourceCountIs('AWS::DynamoDB::GlobalTable', TABLE_IDS.length);
    });

    it.each(TABLE_IDS)('%s has the keys, indexes, stream, TTL and PITR of its definition', (id) => {
      const definition: TableDefinition = tables[id];
      const local = createTableInput(definition, 'unused');
      const logicalId = dev.tableLogicalIds[id];
      matchResource(dev.data, logicalId, {
        Type: 'AWS::DynamoDB::GlobalTable',
        DeletionPolicy: 'Delete',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: local.KeySchema,
          GlobalSecondaryIndexes: local.GlobalSecondaryIndexes ?? Match.absent(),
          StreamSpecification: definition.stream ? { StreamViewType: definition.stream } : Match.absent(),
          TimeToLiveSpecification: definition.ttlAttribute
            ? { AttributeName: definition.ttlAttribute, Enabled: true }
            : Match.absent(),
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: false,
            }),
          ],
        },
      });
      // The local stack creates its tables with createTableInput; both must declare the same attributes.
      const byName = (a: { AttributeName: string }, b: { AttributeName: string }) => a.AttributeName.localeCompare(b.AttributeName);
      const declared = resourceById(dev.data, logicalId).Properties.AttributeDefinitions as { AttributeName: string }[];
      expect([...declared].sort(byName)).toEqual([...local.AttributeDefinitions].sort(byName));
    });

    it('streams the returns table with both images, for the aggregator', () => {
      matchResource(dev.data, dev.tableLogicalIds.returns, {
        Properties: { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } },
      });
    });
  });

  describe('HTTP API', () => {
    it('has one HTTP API whose endpoint is an output', () => {
      dev.api.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      const apiId = new Capture();
      dev.api.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] } });
      expect(resourceById(dev.api, apiId.asString())).toMatchObject({ Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } });
    });

    it('has a route for every entry of the route table plus $default, and no others', () => {
      const routeKeys = Object.values(dev.api.findResources('AWS::ApiGatewayV2::Route')).map(
        (route) => (route as { Properties: { RouteKey: string } }).Properties.RouteKey,
      );
      expect(routeKeys.sort()).toEqual(served.map((s) => s.routeKey).sort());
    });

    it('serves each route with its own function', () => {
      const functions = served.map((s) => functionBehindRoute(dev.api, s.routeKey));
      expect(new Set(functions).size).toBe(served.length);
      dev.api.resourceCountIs('AWS::Lambda::Function', served.length);
      dev.api.resourceCountIs('AWS::Lambda::Permission', served.length);
    });
  });

  describe('functions', () => {
    it('are all arm64, Node.js 22, traced, with the house defaults', () => {
      dev.api.allResourcesProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        MemorySize: 512,
        Timeout: 10,
        LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'capacity-tracker',
            POWERTOOLS_LOG_LEVEL: 'DEBUG',
            POWERTOOLS_METRICS_NAMESPACE: 'CapacityTracker',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    });

    it('log to their own log group, kept for a month and removed with a dev stack', () => {
      dev.api.resourceCountIs('AWS::Logs::LogGroup', served.length);
      dev.api.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 30 } });
    });

    describe.each(served)('$id', ({ routeKey, tables: access }) => {
      const bound = Object.keys(access) as TableId[];

      it('may touch only the tables of its route, and writes only where the route says RW', () => {
        const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, functionBehindRoute(dev.api, routeKey)));
        const tablesIn = (statement: PolicyStatement) => tablesNamedIn(statement.Resource, dev.tableLogicalIds);

        expect(new Set(statements.flatMap(tablesIn))).toEqual(new Set(bound));
        for (const statement of statements) {
          if (statement.Resource === '*') expect(actionsOf(statement).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
          if (tablesIn(statement).some((id) => access[id] === 'RO')) {
            expect(actionsOf(statement).filter((action) => WRITE_ACTIONS.includes(action))).toEqual([]);
          }
        }
        // No request path scans (DESIGN §9), so no function may.
        expect(statements.flatMap(actionsOf).filter((action) => action === 'dynamodb:Scan' || action === 'dynamodb:*')).toEqual([]);
        for (const id of bound.filter((tableId) => access[tableId] === 'RW')) {
          const actions = statements.filter((s) => tablesIn(s).includes(id)).flatMap(actionsOf);
          expect(actions).toEqual(expect.arrayContaining(WRITE_ACTIONS));
        }
      });

      it('is told the name of exactly the tables it binds', () => {
        const environment = environmentOf(dev.api, functionBehindRoute(dev.api, routeKey));
        const expected = bound.map((id) => tables[id].envVar);
        expect(Object.keys(environment).sort()).toEqual([...BASE_ENVIRONMENT, ...expected].sort());
        for (const id of bound) {
          expect(tablesNamedIn(environment[tables[id].envVar], dev.tableLogicalIds)).toEqual([id]);
        }
      });
    });
  });
});

describe('prod stage', { timeout: SYNTH_TIMEOUT }, () => {
  let prod: Synthesized;
  beforeAll(() => {
    prod = synth('prod');
  }, SYNTH_TIMEOUT);

  it('protects every table from deletion and keeps it if the stack goes', () => {
    prod.data.resourceCountIs('AWS::DynamoDB::GlobalTable', TABLE_IDS.length);
    prod.data.allResources('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it('keeps function logs if the stack goes, and logs at INFO', () => {
    prod.api.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    prod.api.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'INFO' }) },
    });
  });

  it('names its stacks after the stage', () => {
    expect([prod.stacks.data.stackName, prod.stacks.api.stackName]).toEqual(['CapacityTracker-prod-Data', 'CapacityTracker-prod-Api']);
  });
});
