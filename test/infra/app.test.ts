import { App } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCapacityTracker, type CapacityTrackerStacks } from '#infra/capacity-tracker';
import { routes, type RouteDefinition, type TableAccess } from '#shared/model/routes';
import { exportWorkerFunction } from '#shared/model/async-functions';
import { aggregatorFunction, savedSearchAlertsFunction, STREAM_RETENTION_SECONDS, authorizerFunction, fallbackFunction as fallbackRoute, functionDefinitions, reminderFunction, writeActions, type FunctionDefinition } from '#shared/model/functions';
import { schedules } from '#shared/model/schedules';
import { contentSecurityPolicy } from '#infra/constructs/static-site';
import { accountApiEndpoint, signInAuthority } from '#infra/constructs/sign-in';
import { Role } from '#shared/model/schemas/common';
import { TABLE_IDS, createTableInput, tables, type TableDefinition, type TableId } from '#shared/model/tables';
import {
  actionsOf,
  environmentOf,
  functionBehindRoute,
  logicalIdOf,
  matchResource,
  mentions,
  onlyResource,
  resourceById,
  resourcesOfType,
  roleOfFunction,
  rolesGrantedOn,
  statementsOfRole,
  type CfnResource,
  type PolicyStatement,
} from './template-queries';
import { newApp, SYNTH_TIMEOUT } from './synth';

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const BASE_ENVIRONMENT = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'];
const AUTHORIZER_ENVIRONMENT = ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URL', 'UPDATE_LINK_SECRET_ARN'];

interface Synthesized {
  stacks: CapacityTrackerStacks;
  data: Template;
  api: Template;
  tableLogicalIds: Record<TableId, string>;
  /** Logical ids of the sign-in resources (data stack) and of the functions and resources beside the routes (API stack). */
  ids: Record<'userPool' | 'webClient' | 'secret' | 'authorizerFunction' | 'aggregatorFunction' | 'reminderFunction' | 'cqcSyncFunction' | 'deadLetterQueue' | 'senderIdentity' | 'savedSearchAlertsFunction' | 'savedSearchDeadLetterQueue', string>;
}

function synth(stage: 'dev' | 'prod'): Synthesized {
  const stacks = buildCapacityTracker(newApp({ stage }));
  const tableLogicalIds = Object.fromEntries(TABLE_IDS.map((id) => [id, logicalIdOf(stacks.data.tables[id])])) as Record<TableId, string>;
  const ids = {
    userPool: logicalIdOf(stacks.data.userPool),
    webClient: logicalIdOf(stacks.data.webClient),
    secret: logicalIdOf(stacks.data.updateLinkSecret),
    authorizerFunction: logicalIdOf(stacks.api.authorizerFunction.function),
    aggregatorFunction: logicalIdOf(stacks.api.aggregator.function),
    reminderFunction: logicalIdOf(stacks.api.reminderFunction.function),
    cqcSyncFunction: logicalIdOf(stacks.api.cqcSyncFunction.function),
    deadLetterQueue: logicalIdOf(stacks.api.aggregatorStream.deadLetterQueue),
    senderIdentity: logicalIdOf(stacks.api.senderIdentity),
    savedSearchAlertsFunction: logicalIdOf(stacks.api.savedSearchAlerts.function),
    savedSearchDeadLetterQueue: logicalIdOf(stacks.api.savedSearchAlertsStream.deadLetterQueue),
  };
  return { stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api), tableLogicalIds, ids };
}

type TableMap = Partial<Record<TableId, TableAccess>>;

const served = [
  ...routes.map((route) => ({
    id: route.id,
    routeKey: `${route.method} ${route.path}`,
    signedIn: route.access !== 'public',
    tables: route.tables as TableMap,
  })),
  { id: fallbackRoute.id, routeKey: '$default', signedIn: false, tables: fallbackRoute.tables as TableMap },
];
/** Every function of the API stack: one per served route, and the authorizer. */
// Besides the routes: the authorizer, the aggregator, the saved-search consumer, the reminder job, the CQC sync
// and the export worker.
const FUNCTION_COUNT = served.length + 6;

/** The service's own functions (the house construct gives each its Powertools settings), by logical id. */
function houseFunctions(template: Template) {
  return Object.fromEntries(
    Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).filter(([, fn]) =>
      JSON.stringify(fn.Properties?.Environment ?? {}).includes('POWERTOOLS_SERVICE_NAME'),
    ),
  );
}

function tablesNamedIn(value: unknown, logicalIds: Record<TableId, string>): TableId[] {
  const text = JSON.stringify(value);
  return TABLE_IDS.filter((id) => text.includes(logicalIds[id]));
}

const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
const isStreamStatement = (statement: PolicyStatement) => actionsOf(statement).every((action) => STREAM_ACTIONS.includes(action));

/**
 * The function's role may touch exactly the tables of its map, write only where it says RW (with every
 * write action, or those its definition narrows RW to), and never scan. Reading a table's stream (the
 * aggregator) is checked on its own.
 */
function expectTableAccessOnly(built: Synthesized, functionId: string, access: TableMap, definition?: FunctionDefinition): void {
  const bound = Object.keys(access) as TableId[];
  const statements = statementsOfRole(built.api, roleOfFunction(built.api, functionId)).filter((statement) => !isStreamStatement(statement));
  const tablesIn = (statement: PolicyStatement) => tablesNamedIn(statement.Resource, built.tableLogicalIds);

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
    const writes = definition ? writeActions(definition, id).map((action) => `dynamodb:${action}`) : WRITE_ACTIONS;
    expect(actions.filter((action) => WRITE_ACTIONS.includes(action)).sort(), `${functionId} writes ${id}`).toEqual([...writes].sort());
  }
}

/** The function is told the name of exactly the tables it binds, besides the given other settings. */
function expectTableEnvironment(built: Synthesized, functionId: string, access: TableMap, others: readonly string[] = []): void {
  const bound = Object.keys(access) as TableId[];
  const environment = environmentOf(built.api, functionId);
  const expected = bound.map((id) => tables[id].envVar);
  expect(Object.keys(environment).sort()).toEqual([...BASE_ENVIRONMENT, ...expected, ...others].sort());
  for (const id of bound) {
    expect(tablesNamedIn(environment[tables[id].envVar], built.tableLogicalIds)).toEqual([id]);
  }
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
      expect(functions).not.toContain(dev.ids.authorizerFunction);
      expect(Object.keys(houseFunctions(dev.api))).toHaveLength(FUNCTION_COUNT);
      // API Gateway may call each route's function and the authorizer; EventBridge the reminder job and the
      // CQC sync. The aggregator is called by its event source mapping, and the export worker by the role of
      // POST /v1/exports (test/infra/exports.test.ts): neither needs a resource permission.
      dev.api.resourceCountIs('AWS::Lambda::Permission', served.length + 3);
    });
  });

  describe('functions', () => {
    it('are all arm64, Node.js 22, traced, with the house defaults', () => {
      // Besides ours, the stack holds CDK's own helpers for deploying the web pages; those are not house functions.
      const ours = Object.values(houseFunctions(dev.api));
      expect(ours.length).toBe(FUNCTION_COUNT);
      for (const fn of ours) {
        expect(fn.Properties).toMatchObject({
          Architectures: ['arm64'],
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
          Environment: {
            Variables: expect.objectContaining({
              POWERTOOLS_SERVICE_NAME: 'capacity-tracker',
              POWERTOOLS_LOG_LEVEL: 'DEBUG',
              POWERTOOLS_METRICS_NAMESPACE: 'CapacityTracker',
              NODE_OPTIONS: '--enable-source-maps',
            }),
          },
        });
      }
    });

    it('are each built from their definition in shared/model/functions.ts: its sizing, exactly its tables and exactly its settings', () => {
      expect(Object.keys(dev.stacks.api.functions).sort()).toEqual(functionDefinitions.map((definition) => definition.id).sort());
      for (const definition of functionDefinitions) {
        const id = logicalIdOf(dev.stacks.api.functions[definition.id]!.function);
        const fn = resourceById(dev.api, id);
        expect([fn.Properties?.Timeout, fn.Properties?.MemorySize, fn.Properties?.ReservedConcurrentExecutions], definition.id).toEqual([
          definition.timeoutSeconds,
          definition.memoryMb,
          definition.reservedConcurrency,
        ]);
        expectTableEnvironment(dev, id, definition.tables as TableMap, definition.settings);
        expectTableAccessOnly(dev, id, definition.tables as TableMap, definition);
      }
    });

    it('answer requests within 10 s at 512 MB; the exports have 29 s and a full vCPU, a bulk upload 29 s, the aggregator a minute per batch, the reminder job and the CQC sync 15 minutes, the export worker 15 minutes and a full vCPU', () => {
      const sized = (fn: CfnResource) => [fn.Properties?.Timeout, fn.Properties?.MemorySize];
      const exports = ['GET /v1/exports/aggregates.csv', 'GET /v1/exports/locations.csv'].map((key) => functionBehindRoute(dev.api, key));
      const special: Record<string, unknown[]> = {
        [dev.ids.aggregatorFunction]: [60, 512],
        [dev.ids.savedSearchAlertsFunction]: [60, 512],
        [dev.ids.reminderFunction]: [900, 512],
        [dev.ids.cqcSyncFunction]: [900, 512],
        [logicalIdOf(dev.stacks.api.functions[exportWorkerFunction.id]!.function)]: [900, 1769],
        ...Object.fromEntries(exports.map((id) => [id, [29, 1769]])),
        // 500 rows written as 500 PUTs would be: API Gateway's whole window.
        [functionBehindRoute(dev.api, 'POST /v1/returns/bulk')]: [29, 512],
      };
      for (const [id, fn] of Object.entries(houseFunctions(dev.api))) expect(sized(fn), id).toEqual(special[id] ?? [10, 512]);
    });

    it('log to their own log group, kept for a month and removed with a dev stack', () => {
      const groups = Object.values(houseFunctions(dev.api)).map((fn) => (fn.Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref);
      expect(new Set(groups).size).toBe(FUNCTION_COUNT);
      for (const group of groups) expect(resourceById(dev.api, group)).toMatchObject({ DeletionPolicy: 'Delete', Properties: { RetentionInDays: 30 } });
    });

    describe.each(served)('$id', ({ id, routeKey, tables: access }) => {
      it('may touch only the tables of its route, and writes only where the route says RW', () => {
        // Writes as its definition declares them (`dynamodb`; every action: test/infra/least-privilege.test.ts).
        expectTableAccessOnly(dev, functionBehindRoute(dev.api, routeKey), access, functionDefinitions.find((definition) => definition.id === id));
      });

      it('is told the name of exactly the tables it binds (and the user pool, if it manages users)', () => {
        const route = (routes as readonly RouteDefinition[]).find((candidate) => candidate.id === id);
        expectTableEnvironment(dev, functionBehindRoute(dev.api, routeKey), access, [...(route?.settings ?? []), ...(route?.userPool ? ['USER_POOL_ID'] : [])]);
      });

      it('can neither read the update-link key nor learn where it is (but the unsubscribe route, which verifies its tokens)', () => {
        const fn = functionBehindRoute(dev.api, routeKey);
        if (id === 'unsubscribeSavedSearch') {
          expect(mentions(environmentOf(dev.api, fn), dev.ids.secret)).toBe(true);
          return;
        }
        const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, fn));
        expect(statements.filter((statement) => mentions(statement.Resource, dev.ids.secret))).toEqual([]);
        expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
        expect(mentions(environmentOf(dev.api, fn), dev.ids.secret)).toBe(false);
      });
    });
  });

  describe('authorizer', () => {
    const authorizerOf = (built: Synthesized) => onlyResource(built.api, 'AWS::ApiGatewayV2::Authorizer');

    it('is one Lambda REQUEST authorizer with simple responses, payload 2.0 and no cache, its identity sources the token and the origin header', () => {
      const [, authorizer] = authorizerOf(dev);
      expect(authorizer.Properties).toMatchObject({
        AuthorizerType: 'REQUEST',
        EnableSimpleResponses: true,
        AuthorizerPayloadFormatVersion: '2.0',
        AuthorizerResultTtlInSeconds: 0,
        Name: authorizerFunction.id,
      });
      // A request without a token is answered at the edge first (401 problem+json, before any Lambda runs:
      // test/infra/edge-protection.test.ts); API Gateway's own bare 401 is for requests sent past CloudFront.
      expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization', '$request.header.x-origin-verify']);
      expect(mentions(authorizer.Properties.AuthorizerUri, dev.ids.authorizerFunction)).toBe(true);
    });

    it('may be called by API Gateway for this API only', () => {
      const [authorizerId] = authorizerOf(dev);
      const permissions = Object.values(resourcesOfType(dev.api, 'AWS::Lambda::Permission')).filter((permission) =>
        mentions(permission.Properties.FunctionName, dev.ids.authorizerFunction),
      );
      expect(permissions).toHaveLength(1);
      expect(permissions[0]?.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
      expect(mentions(permissions[0]?.Properties.SourceArn, authorizerId)).toBe(true);
    });

    it.each(served.filter((s) => s.signedIn))('guards $routeKey', ({ routeKey }) => {
      const [authorizerId] = authorizerOf(dev);
      dev.api.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizerId },
      });
    });

    it.each(served.filter((s) => !s.signedIn))('leaves $routeKey open', ({ routeKey }) => {
      dev.api.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'NONE',
        AuthorizerId: Match.absent(),
      });
    });

    it('guards every route but the public ones and $default', () => {
      const routeResources = Object.values(resourcesOfType(dev.api, 'AWS::ApiGatewayV2::Route'));
      const guarded = routeResources.filter((route) => route.Properties.AuthorizationType === 'CUSTOM');
      expect(guarded.map((route) => route.Properties.RouteKey).sort()).toEqual(
        served.filter((s) => s.signedIn).map((s) => s.routeKey).sort(),
      );
    });

    it('is told the issuer, audience and key set of the user pool, and where the update-link key is', () => {
      const environment = environmentOf(dev.api, dev.ids.authorizerFunction);
      const userPoolId = Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp(dev.ids.userPool) });
      const issuerParts = ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', userPoolId];
      const result = Match.objectLike({
        JWT_ISSUER: { 'Fn::Join': ['', issuerParts] },
        JWKS_URL: { 'Fn::Join': ['', [...issuerParts, '/.well-known/jwks.json']] },
        JWT_AUDIENCE: { 'Fn::ImportValue': Match.stringLikeRegexp(dev.ids.webClient) },
        UPDATE_LINK_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp(dev.ids.secret) },
      }).test(environment);
      expect(result.toHumanStrings()).toEqual([]);
    });

    it('is told the name of exactly the tables it binds, and nothing else but its four settings', () => {
      expectTableEnvironment(dev, dev.ids.authorizerFunction, authorizerFunction.tables, AUTHORIZER_ENVIRONMENT);
    });

    it('reads only the revocations table, and never writes', () => {
      expectTableAccessOnly(dev, dev.ids.authorizerFunction, authorizerFunction.tables);
      const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, dev.ids.authorizerFunction));
      expect(statements.flatMap(actionsOf).filter((action) => WRITE_ACTIONS.includes(action))).toEqual([]);
    });

    it('may read the update-link key and no other secret', () => {
      const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, dev.ids.authorizerFunction));
      const secretStatements = statements.filter((statement) => actionsOf(statement).some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements.flatMap(actionsOf)).toContain('secretsmanager:GetSecretValue');
      for (const statement of secretStatements) {
        expect(statement.Resource).toEqual({ 'Fn::ImportValue': expect.stringContaining(dev.ids.secret) });
        expect(actionsOf(statement).every((a) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(a))).toBe(true);
      }
      expect(statements.filter((s) => mentions(s.Resource, dev.ids.secret))).toEqual(secretStatements);
    });

    it('is, with the reminder job that signs the links and the saved-search consumer and unsubscribe route that sign and verify unsubscribe tokens, the only function with any grant on the update-link key', () => {
      expect(rolesGrantedOn(dev.api, dev.ids.secret).sort()).toEqual(
        [
          roleOfFunction(dev.api, dev.ids.authorizerFunction),
          roleOfFunction(dev.api, dev.ids.reminderFunction),
          roleOfFunction(dev.api, dev.ids.savedSearchAlertsFunction),
          roleOfFunction(dev.api, functionBehindRoute(dev.api, 'POST /v1/saved-searches/unsubscribe')),
        ].sort(),
      );
      dev.data.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    });
  });

  describe('aggregator', () => {
    it('reads the returns stream with partial batch failures, bounded retries, bisecting, and a dead-letter queue', () => {
      const mappings = Object.values(resourcesOfType(dev.api, 'AWS::Lambda::EventSourceMapping'));
      expect(mappings).toHaveLength(2);
      const mapping = mappings.find((candidate) => mentions(candidate.Properties?.FunctionName, dev.ids.aggregatorFunction))!;
      expect(mapping.Properties).toMatchObject({
        FunctionName: { Ref: dev.ids.aggregatorFunction },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: aggregatorFunction.stream.batchSize,
        MaximumBatchingWindowInSeconds: aggregatorFunction.stream.maximumBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: aggregatorFunction.stream.maximumRetryAttempts,
        BisectBatchOnFunctionError: true,
        ParallelizationFactor: 1,
        MaximumRecordAgeInSeconds: aggregatorFunction.stream.maximumRecordAgeSeconds,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dev.ids.deadLetterQueue, 'Arn'] } } },
      });
      expect(mentions(mapping.Properties?.EventSourceArn, dev.tableLogicalIds.returns)).toBe(true);
      expect(JSON.stringify(mapping.Properties?.EventSourceArn)).toContain('StreamArn');
    });

    it('gives up on a record within 6 hours on every stream mapping, well inside the stream\'s 24-hour retention', () => {
      // At the retention (as once, a day) a record can be trimmed before Lambda gives up on it: lost without a dead letter or an alarm.
      const mappings = Object.values(resourcesOfType(dev.api, 'AWS::Lambda::EventSourceMapping'));
      expect(mappings.length).toBeGreaterThan(0);
      for (const mapping of mappings) {
        const age = mapping.Properties?.MaximumRecordAgeInSeconds as number;
        expect(age).toBeGreaterThanOrEqual(60);
        expect(age).toBeLessThanOrEqual(21_600);
        expect(age).toBeLessThan(STREAM_RETENTION_SECONDS);
        expect(JSON.stringify(mapping.Properties?.DestinationConfig)).toContain('OnFailure');
      }
    });

    it('has an encrypted dead-letter queue that alarms as soon as it holds a batch, and an alarm when it falls behind', () => {
      matchResource(dev.api, dev.ids.deadLetterQueue, { Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 } });
      const alarms = Object.values(resourcesOfType(dev.api, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties ?? {});
      const deadLetters = alarms.find((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible');
      expect(deadLetters).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
      expect(mentions(deadLetters?.Dimensions, dev.ids.deadLetterQueue)).toBe(true);
      const behind = alarms.find((alarm) => alarm.MetricName === 'IteratorAge' && mentions(alarm.Dimensions, dev.ids.aggregatorFunction));
      expect(behind).toMatchObject({ Statistic: 'Maximum', Threshold: 60_000 });
      expect(mentions(behind?.Dimensions, dev.ids.aggregatorFunction)).toBe(true);
    });

    it('may read the returns stream, write the aggregate tables, and send only to its dead-letter queue', () => {
      expectTableAccessOnly(dev, dev.ids.aggregatorFunction, aggregatorFunction.tables, aggregatorFunction);
      expectTableEnvironment(dev, dev.ids.aggregatorFunction, aggregatorFunction.tables);
      const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, dev.ids.aggregatorFunction));
      const stream = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:GetRecords')));
      expect(stream).toHaveLength(1);
      // ListStreams as well under the recommended feature flags: read-only, on this stream's ARN alone.
      expect(actionsOf(stream[0]!).sort()).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);
      expect(JSON.stringify(stream[0]!.Resource)).toContain('StreamArn');
      expect(mentions(stream[0]!.Resource, dev.tableLogicalIds.returns)).toBe(true);
      const sqs = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
      expect(sqs.flatMap(actionsOf).every((action) => ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].includes(action))).toBe(true);
      for (const statement of sqs) expect(mentions(statement.Resource, dev.ids.deadLetterQueue)).toBe(true);
    });
  });

  describe('saved-search alerts', () => {
    it('read the returns stream on a mapping of their own, with partial batch failures, bisecting and a dead-letter queue that alarms', () => {
      const mapping = Object.values(resourcesOfType(dev.api, 'AWS::Lambda::EventSourceMapping')).find((candidate) => mentions(candidate.Properties?.FunctionName, dev.ids.savedSearchAlertsFunction))!;
      expect(mapping.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: savedSearchAlertsFunction.stream.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: savedSearchAlertsFunction.stream.maximumRetryAttempts,
        BisectBatchOnFunctionError: true,
        ParallelizationFactor: 1,
        MaximumRecordAgeInSeconds: savedSearchAlertsFunction.stream.maximumRecordAgeSeconds,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dev.ids.savedSearchDeadLetterQueue, 'Arn'] } } },
      });
      expect(mentions(mapping.Properties?.EventSourceArn, dev.tableLogicalIds.returns)).toBe(true);
      const alarms = Object.values(resourcesOfType(dev.api, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties ?? {});
      expect(alarms.filter((alarm) => mentions(alarm.Dimensions, dev.ids.savedSearchDeadLetterQueue) || mentions(alarm.Dimensions, dev.ids.savedSearchAlertsFunction))).toHaveLength(2);
    });

    it('read the locations and the saved searches, write only the match state (UpdateItem), send as the service domain, read the link key', () => {
      expectTableAccessOnly(dev, dev.ids.savedSearchAlertsFunction, savedSearchAlertsFunction.tables, savedSearchAlertsFunction);
      expectTableEnvironment(dev, dev.ids.savedSearchAlertsFunction, savedSearchAlertsFunction.tables, ['REMINDER_FROM_ADDRESS', 'WEB_BASE_URL', 'UPDATE_LINK_SECRET_ARN']);
      const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, dev.ids.savedSearchAlertsFunction));
      const ses = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:')));
      expect(ses).toHaveLength(1);
      expect(mentions(ses[0]!.Resource, dev.ids.senderIdentity)).toBe(true);
      const stream = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:GetRecords')));
      expect(stream).toHaveLength(1);
      expect(mentions(stream[0]!.Resource, dev.tableLogicalIds.returns)).toBe(true);
    });
  });

  describe('reminders', () => {
    it('run on the shared schedule, retried once', () => {
      const rules = Object.values(resourcesOfType(dev.api, 'AWS::Events::Rule')).filter((r) => mentions(r.Properties?.Targets, dev.ids.reminderFunction));
      expect(rules).toHaveLength(1);
      const rule = rules[0]!;
      expect(rule.Properties).toMatchObject({ ScheduleExpression: schedules.reminders.expression, State: 'ENABLED' });
      expect(rule.Properties?.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [dev.ids.reminderFunction, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 1 } })]);
    });

    it('send only as the service domain, an SES identity of the stack', () => {
      matchResource(dev.api, dev.ids.senderIdentity, { Properties: { EmailIdentity: 'capacity-tracker.example' } });
      const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, dev.ids.reminderFunction));
      const ses = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ses:')));
      expect(ses).toHaveLength(1);
      expect(actionsOf(ses[0]!).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(JSON.stringify(ses[0]!.Resource)).toContain(':identity/');
      expect(mentions(ses[0]!.Resource, dev.ids.senderIdentity)).toBe(true);
      // No other function may send email.
      const senders = Object.keys(resourcesOfType(dev.api, 'AWS::IAM::Role')).filter((role) =>
        statementsOfRole(dev.api, role).some((statement) => actionsOf(statement).some((action) => action.startsWith('ses:'))),
      );
      expect(senders.sort()).toEqual([roleOfFunction(dev.api, dev.ids.reminderFunction), roleOfFunction(dev.api, dev.ids.savedSearchAlertsFunction)].sort());
    });

    it('read the locations and contacts, write only the audit of sends and the end of pauses, and know where to send and link', () => {
      expectTableAccessOnly(dev, dev.ids.reminderFunction, reminderFunction.tables, reminderFunction);
      expectTableEnvironment(dev, dev.ids.reminderFunction, reminderFunction.tables, ['REMINDER_FROM_ADDRESS', 'WEB_BASE_URL', 'UPDATE_LINK_SECRET_ARN']);
      expect(environmentOf(dev.api, dev.ids.reminderFunction)).toMatchObject({
        REMINDER_FROM_ADDRESS: 'capacity-tracker@capacity-tracker.example',
        WEB_BASE_URL: 'https://capacity-tracker.example',
      });
    });

    it('alarm when a run fails', () => {
      const alarms = Object.values(resourcesOfType(dev.api, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties ?? {});
      const failed = alarms.find((alarm) => alarm.MetricName === 'Errors' && mentions(alarm.Dimensions, dev.ids.reminderFunction));
      expect(failed).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    });
  });

  describe('web pages', () => {
    it('are in a bucket nobody but CloudFront can read, over TLS only', () => {
      const bucketId = logicalIdOf(dev.stacks.api.site.bucket);
      const bucket = resourceById(dev.api, bucketId);
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      });
      const [, policy] = Object.entries(resourcesOfType(dev.api, 'AWS::S3::BucketPolicy')).find(([, found]) => mentions(found.Properties.Bucket, bucketId)) ?? [];
      if (!policy) throw new Error('the pages bucket has no policy');
      const statements = (policy.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      const allowed = statements.filter((statement) => statement.Effect === 'Allow');
      // Nothing public: every grant names a principal (CloudFront; in dev, CDK's helper that empties the bucket on teardown).
      for (const statement of allowed) expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
      const reads = allowed.filter((statement) => JSON.stringify(statement.Action).includes('s3:GetObject'));
      expect(reads).toEqual([
        expect.objectContaining({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' }, Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } } }),
      ]);
      expect(statements.some((statement) => statement.Effect === 'Deny' && JSON.stringify(statement.Condition).includes('aws:SecureTransport'))).toBe(true);
      expect(mentions(policy.Properties?.Bucket, bucketId)).toBe(true);
      dev.api.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    });

    it('are served with a strict content security policy and security headers, and the API at /v1/* uncached', () => {
      const [, headers] = onlyResource(dev.api, 'AWS::CloudFront::ResponseHeadersPolicy');
      const security = (headers.Properties?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
      const csp = contentSecurityPolicy({ authority: signInAuthority('capacity-tracker-dev', dev.stacks.api.region), accountApi: accountApiEndpoint(dev.stacks.api.region) });
      expect(security.ContentSecurityPolicy?.ContentSecurityPolicy).toEqual(dev.stacks.api.resolve(csp));
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true });
      expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
      const [, distribution] = onlyResource(dev.api, 'AWS::CloudFront::Distribution');
      const config = distribution.Properties?.DistributionConfig as { DefaultRootObject: string; DefaultCacheBehavior: Record<string, unknown>; CacheBehaviors: Array<Record<string, unknown>> };
      expect(config.DefaultRootObject).toBe('index.html');
      expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(config.CacheBehaviors).toEqual([
        expect.objectContaining({ PathPattern: '/v1/*', ViewerProtocolPolicy: 'https-only', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', AllowedMethods: expect.arrayContaining(['PUT', 'POST']) }),
      ]);
    });
  });

  describe('sign-in', () => {
    it('has one user pool: no self sign-up, email sign-in, strong passwords, optional TOTP, recovery by email', () => {
      const [id, pool] = onlyResource(dev.data, 'AWS::Cognito::UserPool');
      expect(id).toBe(dev.ids.userPool);
      expect(pool).toMatchObject({
        DeletionPolicy: 'Delete',
        Properties: {
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          UsernameAttributes: ['email'],
          UsernameConfiguration: { CaseSensitive: false },
          Policies: {
            PasswordPolicy: { RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
          },
          MfaConfiguration: 'OPTIONAL',
          EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
          DeletionProtection: 'INACTIVE',
        },
      });
      const policy = (pool.Properties.Policies as { PasswordPolicy: { MinimumLength: number } }).PasswordPolicy;
      expect(policy.MinimumLength).toBeGreaterThanOrEqual(12);
      // Threat protection (advanced security) is off: it is billed per user.
      expect(pool.Properties.UserPoolAddOns).toBeUndefined();
      expect(pool.Properties.UserPoolTier).not.toBe('PLUS');
    });

    it('gives users a mutable custom areas attribute', () => {
      dev.data.hasResourceProperties('AWS::Cognito::UserPool', {
        Schema: Match.arrayWith([Match.objectLike({ Name: 'areas', AttributeDataType: 'String', Mutable: true })]),
      });
    });

    it('has one group per role', () => {
      const groups = Object.values(resourcesOfType(dev.data, 'AWS::Cognito::UserPoolGroup'));
      expect(groups.map((group) => group.Properties.GroupName).sort()).toEqual([...Role.options].sort());
      for (const group of groups) expect(group.Properties.UserPoolId).toEqual({ Ref: dev.ids.userPool });
    });

    it('has one app client for the web pages: no secret, the managed login and refresh only, reads custom:areas, 1-hour ID tokens', () => {
      const [id, client] = onlyResource(dev.data, 'AWS::Cognito::UserPoolClient');
      expect(id).toBe(dev.ids.webClient);
      expect(client.Properties).toMatchObject({
        UserPoolId: { Ref: dev.ids.userPool },
        GenerateSecret: false,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        IdTokenValidity: 60,
        TokenValidityUnits: { IdToken: 'minutes' },
        PreventUserExistenceErrors: 'ENABLED',
      });
      // No password flow for callers of the API with the (public) client id: passwords go to Cognito's pages only.
      expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
      expect(client.Properties.ReadAttributes).toContain('custom:areas');
      // Users must not be able to give themselves areas: the client's write list is explicit and leaves it out.
      expect(client.Properties.WriteAttributes).toBeDefined();
      expect(client.Properties.WriteAttributes).not.toContain('custom:areas');
    });

    it('outputs the user pool and client ids for the web form', () => {
      dev.data.hasOutput('UserPoolId', { Value: { Ref: dev.ids.userPool } });
      dev.data.hasOutput('WebClientId', { Value: { Ref: dev.ids.webClient } });
    });

    it('generates the update-link key: 64 characters, no punctuation, the whole SecretString', () => {
      // The data stack's other secret is the CQC API key (test/infra/cqc-sync.test.ts).
      dev.data.resourceCountIs('AWS::SecretsManager::Secret', 2);
      const secret = resourceById(dev.data, dev.ids.secret);
      expect(secret).toMatchObject({
        DeletionPolicy: 'Delete',
        Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
      });
      const generate = secret.Properties.GenerateSecretString as Record<string, unknown>;
      expect(generate.SecretStringTemplate).toBeUndefined();
      expect(generate.GenerateStringKey).toBeUndefined();
    });

    it('expires revocations by TTL on expiresAt', () => {
      matchResource(dev.data, dev.tableLogicalIds.revocations, {
        Properties: { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
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
    for (const fn of Object.values(houseFunctions(prod.api))) {
      expect(fn.Properties?.Environment).toMatchObject({ Variables: expect.objectContaining({ POWERTOOLS_LOG_LEVEL: 'INFO' }) });
    }
  });

  it('keeps the user pool and the update-link key if the stack goes, and protects the pool from deletion', () => {
    prod.data.resourceCountIs('AWS::Cognito::UserPool', 1);
    prod.data.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
    });
    // Both secrets: the update-link key and the CQC API key.
    prod.data.resourceCountIs('AWS::SecretsManager::Secret', 2);
    prod.data.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('names its stacks after the stage', () => {
    expect([prod.stacks.data.stackName, prod.stacks.api.stackName]).toEqual(['CapacityTracker-prod-Data', 'CapacityTracker-prod-Api']);
  });
});

describe('the users routes and the user pool', () => {
  let built: Synthesized;
  beforeAll(() => {
    built = synth('dev');
  }, SYNTH_TIMEOUT);
  const poolActions = (functionId: string): string[] =>
    statementsOfRole(built.api, roleOfFunction(built.api, functionId))
      .flatMap((statement) => [statement.Action].flat() as string[])
      .filter((action) => action.startsWith('cognito-idp:'))
      .sort();

  it('inviting may create a user and put them in a group, no more', () => {
    expect(poolActions(functionBehindRoute(built.api, 'POST /v1/users'))).toEqual(['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminCreateUser']);
  });

  it('changing may move groups, set areas, disable, enable and sign out, no more', () => {
    expect(poolActions(functionBehindRoute(built.api, 'PATCH /v1/users/{userId}'))).toEqual(
      ['AdminAddUserToGroup', 'AdminDisableUser', 'AdminEnableUser', 'AdminRemoveUserFromGroup', 'AdminUpdateUserAttributes', 'AdminUserGlobalSignOut'].map((action) => `cognito-idp:${action}`),
    );
  });

  it('no other function may touch the user pool', () => {
    const managing = new Set([functionBehindRoute(built.api, 'POST /v1/users'), functionBehindRoute(built.api, 'PATCH /v1/users/{userId}')]);
    for (const id of Object.keys(houseFunctions(built.api))) if (!managing.has(id)) expect(poolActions(id), id).toEqual([]);
  });
});
