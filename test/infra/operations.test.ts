import { Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCapacityTracker } from '#infra/capacity-tracker';
import { ACCESS_LOG_FIELDS, API_THROTTLE } from '#infra/constructs/service-api';
import { ALARM_THRESHOLDS } from '#infra/constructs/monitoring';
import { WRITE_ACTIONS } from '#infra/constructs/house-function';
import { functionById, functionDefinitions, tableGrants } from '#shared/model/functions';

const RESERVED_CONCURRENCY = Object.fromEntries(functionDefinitions.flatMap((definition) => (definition.reservedConcurrency ? [[definition.id, definition.reservedConcurrency]] : [])));
import { addAwsSolutionsChecks } from '#infra/nag';
import { routeById } from '#shared/model/routes';
import { TABLE_IDS, tableOutputKey, tables } from '#shared/model/tables';
import { newApp, synthStage, SYNTH_TIMEOUT, type SynthesizedStage } from './synth';
import { actionsOf, logicalIdOf, matchResource, mentions, resourceById, resourcesOfType, roleOfFunction, statementsOfRole, type CfnResource } from './template-queries';

const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** The service's own functions by construct id (route id, authorizer, aggregator, reminders) → logical id. */
function functionIds(built: SynthesizedStage): Record<string, string> {
  return Object.fromEntries(Object.entries(built.stacks.api.functions).map(([id, fn]) => [id, logicalIdOf(fn.function)]));
}

function alarmByConstruct(built: SynthesizedStage, construct: IConstruct): CfnResource {
  return resourceById(built.api, logicalIdOf(construct));
}

function acknowledgementsUnder(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // Recorded as { "Annotation::<rule id>": "<reason>" }.
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([key, reason]) => ({ path: construct.node.path, id: key.replace(/^Annotation::/, ''), reason })),
  );
}

describe('cdk-nag (AwsSolutions)', { timeout: SYNTH_TIMEOUT }, () => {
  it.each([
    { stage: 'dev', env: {} },
    { stage: 'prod', env: {} },
    // `cdk synth` binds the stacks to a region (and a deployment to an account), which changes how ARNs read.
    { stage: 'prod', env: { account: '123456789012', region: 'eu-west-2' } },
  ] as const)('passes the $stage stage in $env with every finding fixed or acknowledged', ({ stage, env }) => {
    const app = newApp({ stage });
    buildCapacityTracker(app, env);
    addAwsSolutionsChecks(app);
    // Synth throws with the report when any finding is neither fixed nor acknowledged.
    expect(() => app.synth()).not.toThrow();
  });

  it('stops a synth that breaks a rule (a public, unencrypted, unlogged bucket)', () => {
    const app = newApp({});
    const stack = new Stack(app, 'Careless');
    new Bucket(stack, 'Open', { blockPublicAccess: BlockPublicAccess.BLOCK_ACLS_ONLY, publicReadAccess: true });
    addAwsSolutionsChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|AwsSolutions-S10/);
  });

  it('gives every acknowledgement a reason a reviewer can check', () => {
    const app = newApp({ stage: 'prod' });
    buildCapacityTracker(app);
    // CDK acknowledges some CloudFormation checks of its own constructs; ours are the cdk-nag ones.
    const acknowledged = acknowledgementsUnder(app).filter(({ id }) => id.startsWith('AwsSolutions-'));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});

describe('least privilege', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: SynthesizedStage;
  let ids: Record<string, string>;
  beforeAll(() => {
    dev = synthStage('dev');
    ids = functionIds(dev);
  });

  it('gives every function a role of its own with no AWS-managed policy', () => {
    const roles = Object.values(ids).map((fn) => roleOfFunction(dev.api, fn));
    expect(new Set(roles).size).toBe(roles.length);
    for (const role of roles) expect(resourceById(dev.api, role).Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants nothing on * but X-Ray tracing, which has no resource-level permissions', () => {
    for (const fn of Object.values(ids)) {
      const wildcard = statementsOfRole(dev.api, roleOfFunction(dev.api, fn)).filter((statement) => statement.Resource === '*');
      expect(wildcard.flatMap(actionsOf).sort()).toEqual([...XRAY_ACTIONS].sort());
    }
  });

  it("lets each function write logs to its own log group only", () => {
    for (const fn of Object.values(ids)) {
      const logGroup = (resourceById(dev.api, fn).Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logs = statementsOfRole(dev.api, roleOfFunction(dev.api, fn)).filter((statement) => actionsOf(statement).some((a) => a.startsWith('logs:')));
      expect(logs).toHaveLength(1);
      expect(actionsOf(logs[0]!).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logs[0]!.Resource).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    }
  });

  it('reads a table and the indexes it queries by name (no index/*), and writes the table alone', () => {
    const tableOf = (resource: unknown) => TABLE_IDS.find((id) => mentions(resource, logicalIdOf(dev.stacks.data.tables[id])));
    for (const fn of ['putReturn', 'getLocation', 'aggregator', 'reminders']) {
      const statements = statementsOfRole(dev.api, roleOfFunction(dev.api, ids[fn]!)).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(JSON.stringify(statements)).not.toContain('index/*');
      const indexesRead = new Map<string, string[]>();
      for (const statement of statements.filter((s) => !actionsOf(s).includes('dynamodb:GetRecords'))) {
        const actions = actionsOf(statement);
        const isWrite = actions.some((action) => WRITE_ACTIONS.includes(action));
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const resource of resources) {
          const table = tableOf(resource);
          expect(table, JSON.stringify(resource)).toBeDefined();
          // What its definition declares it calls there (`dynamodb`; every function: test/infra/least-privilege.test.ts).
          const grants = tableGrants(functionById(fn), table!);
          const index = /\/index\/([A-Za-z]+)"/.exec(JSON.stringify(resource))?.[1];
          if (index) {
            // Writes never name an index: DynamoDB keeps indexes itself. An index is only ever queried.
            expect(isWrite).toBe(false);
            expect(actions).toEqual(['dynamodb:Query']);
            indexesRead.set(table!, [...(indexesRead.get(table!) ?? []), index]);
          } else {
            for (const action of actions) expect([...grants.reads, ...grants.writes].map((name) => `dynamodb:${name}`), `${fn}: ${action} on ${table}`).toContain(action);
          }
        }
      }
      for (const [table, names] of indexesRead) {
        expect(names.sort()).toEqual([...tableGrants(functionById(fn), table as keyof typeof tables).indexes].sort());
        for (const name of names) expect(tables[table as keyof typeof tables].indexes.map((i) => i.indexName)).toContain(name);
      }
    }
  });

  it('caps the functions whose runaway would starve the rest, and leaves the write path uncapped', () => {
    for (const [id, ceiling] of Object.entries(RESERVED_CONCURRENCY)) {
      expect(resourceById(dev.api, ids[id]!).Properties.ReservedConcurrentExecutions).toBe(ceiling);
    }
    for (const id of ['putReturn', 'confirmReturn', 'authorizer', 'aggregator']) {
      expect(resourceById(dev.api, ids[id]!).Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    expect(routeById('exportAggregates')).toBeDefined();
  });
});

describe('the API stage', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: SynthesizedStage;
  beforeAll(() => {
    dev = synthStage('dev');
  });

  it('is the one $default stage, auto-deployed, throttled, with JSON access logs that carry no personal data', () => {
    const stages = Object.values(resourcesOfType(dev.api, 'AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]!;
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit },
    });
    const settings = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(JSON.parse(settings.Format)).toEqual(ACCESS_LOG_FIELDS);
    expect(settings.Format).toContain('$context.requestId');
    for (const personal of ['sourceIp', 'userAgent', 'authorizer.claims', 'authorizer.principalId']) expect(settings.Format).not.toContain(personal);
    const logGroup = logicalIdOf(dev.stacks.api.node.findChild('Api').node.findChild('AccessLogs'));
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    expect(resourceById(dev.api, logGroup).Properties.RetentionInDays).toBe(90);
  });
});

describe('alarms and dashboard', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: SynthesizedStage;
  let topicId: string;
  beforeAll(() => {
    dev = synthStage('dev', { alarmEmail: 'duty@capacity-tracker.example' });
    topicId = logicalIdOf(dev.stacks.api.alarmTopic.topic);
  });

  it('send every alarm, and its recovery, to one encrypted topic that emails the duty address', () => {
    const alarms = Object.entries(resourcesOfType(dev.api, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(dev.stacks.api.monitoring.alarms.length);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      expect(typeof alarm.Properties.AlarmDescription).toBe('string');
    }
    matchResource(dev.api, topicId, { Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(dev.stacks.api.alarmTopic.key), 'Arn'] } } });
    dev.api.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'duty@capacity-tracker.example', TopicArn: { Ref: topicId } });
    // CloudWatch must be able to use the key, or alarms fail to publish silently.
    const key = resourceById(dev.api, logicalIdOf(dev.stacks.api.alarmTopic.key));
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    dev.api.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('has no email subscription unless an address is given', () => {
    synthStage('dev').api.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('page when more than 1% of API requests fail with 5xx, with a floor of a few errors', () => {
    const alarm = alarmByConstruct(dev, dev.stacks.api.monitoring.apiServerErrors);
    expect(alarm.Properties).toMatchObject({ Threshold: ALARM_THRESHOLDS.apiServerErrorPercent, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2 });
    const metrics = alarm.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string }; Period: number } }[];
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe(`IF(errors >= ${ALARM_THRESHOLDS.apiServerErrorsAtLeast}, 100 * errors / requests, 0)`);
    const stats = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!]));
    expect(stats.errors?.Metric).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
    expect(stats.requests?.Metric).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' });
    expect(stats.errors?.Period).toBe(300);
  });

  it('page when the API p99 latency stays high, or a function returns pass through is throttled', () => {
    expect(alarmByConstruct(dev, dev.stacks.api.monitoring.apiLatency).Properties).toMatchObject({
      MetricName: 'Latency',
      Namespace: 'AWS/ApiGateway',
      ExtendedStatistic: 'p99',
      Threshold: ALARM_THRESHOLDS.apiLatencyP99Ms,
    });
    const throttled = alarmByConstruct(dev, dev.stacks.api.monitoring.writePathThrottled);
    const names = JSON.stringify(throttled.Properties.Metrics);
    for (const id of ['authorizer', 'putReturn', 'confirmReturn']) expect(names).toContain(logicalIdOf(dev.stacks.api.functions[id]!.function));
    expect(names).toContain('Throttles');
  });

  it('page at the SES review lines: 5% bounces, 0.1% complaints', () => {
    expect(alarmByConstruct(dev, dev.stacks.api.monitoring.sesBounces).Properties).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarmByConstruct(dev, dev.stacks.api.monitoring.sesComplaints).Properties).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.001,
    });
  });

  it('include the dead-letter queue, stream lag and reminder run alarms', () => {
    const { aggregatorStream, reminders, monitoring } = dev.stacks.api;
    expect(monitoring.alarms).toEqual(expect.arrayContaining([aggregatorStream.deadLetterAlarm, aggregatorStream.iteratorAgeAlarm, reminders.errorAlarm]));
    expect(alarmByConstruct(dev, aggregatorStream.iteratorAgeAlarm).Properties).toMatchObject({ MetricName: 'IteratorAge', Threshold: 60_000 });
  });

  it('show the API, the write path, the aggregator, reminders, email and the tables on one dashboard', () => {
    const dashboards = Object.values(resourcesOfType(dev.api, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBe('capacity-tracker-dev');
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const needle of ['5xx', 'Latency', 'IteratorAge', 'ApproximateNumberOfMessagesVisible', 'Reputation', 'ConsumedWriteCapacityUnits', 'WriteThrottleEvents', 'Alarms']) {
      expect(body).toContain(needle);
    }
  });
});

describe('web pages', { timeout: SYNTH_TIMEOUT }, () => {
  it('are logged (bucket and CloudFront) to a private bucket that keeps logs 90 days', () => {
    const prod = synthStage('prod');
    const site = prod.stacks.api.site;
    const logsId = logicalIdOf(site.accessLogs);
    matchResource(prod.api, logsId, {
      DeletionPolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
      },
    });
    matchResource(prod.api, logicalIdOf(site.bucket), { Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'pages/' } } });
    matchResource(prod.api, logicalIdOf(site.distribution), {
      Properties: { DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': [logsId, 'RegionalDomainName'] }, Prefix: 'cloudfront/' } } },
    });
  });
});

describe('data stack outputs', { timeout: SYNTH_TIMEOUT }, () => {
  it('name every table, for scripts run against a deployed stage', () => {
    const prod = synthStage('prod');
    for (const id of TABLE_IDS) {
      prod.data.hasOutput(tableOutputKey(id), { Value: { Ref: logicalIdOf(prod.stacks.data.tables[id]) } });
    }
  });
});
