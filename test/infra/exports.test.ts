import { Validations } from 'aws-cdk-lib';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NEAR_TIMEOUT_SHARE } from '#infra/constructs/async-worker';
import { ABORT_MULTIPART_DAYS, EXPORT_FILE_DAYS, EXPORTS_KEY_PREFIX } from '#infra/constructs/export-files';
import { BUCKET_ACTIONS } from '#infra/constructs/house-function';
import { ASYNC_FUNCTION_SETTINGS, exportWorkerFunction } from '#shared/model/async-functions';
import { functionDefinitions, type FunctionDefinition } from '#shared/model/functions';
import { routeById } from '#shared/model/routes';
import { EXPORT_OBJECT_PREFIX } from '#shared/model/schemas/exports';
import { synthStage, SYNTH_TIMEOUT, type SynthesizedStage } from './synth';
import {
  actionsOf,
  environmentOf,
  logicalIdOf,
  matchResource,
  mentions,
  resourceById,
  resourcesOfType,
  roleOfFunction,
  rolesGrantedOn,
  statementsOfRole,
  type CfnResource,
  type PolicyStatement,
} from './template-queries';

/**
 * Exports of any size (issue 18) as deployed: the bucket the files go to and what protects it, the worker
 * that `POST /v1/exports` starts asynchronously (retries, maximum event age, dead letters, alarms), and
 * who may do what: the route alone starts the worker, the worker alone writes files, `GET /v1/exports/{id}`
 * alone reads them, each under `exports/` only and with no wildcard action.
 */

const WORKER = exportWorkerFunction.id;
const worker = exportWorkerFunction.trigger;

interface BucketStatement {
  Effect: string;
  Action: string | string[];
  Principal?: unknown;
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every function of the API stack, by definition id → logical id. */
function functionIds(built: SynthesizedStage): Record<string, string> {
  return Object.fromEntries(Object.entries(built.stacks.api.functions).map(([id, fn]) => [id, logicalIdOf(fn.function)]));
}

function bucketPolicyOf(built: SynthesizedStage, bucketId: string): BucketStatement[] {
  const policies = Object.values(resourcesOfType(built.api, 'AWS::S3::BucketPolicy')).filter((policy) => mentions(policy.Properties.Bucket, bucketId));
  expect(policies).toHaveLength(1);
  return (policies[0]!.Properties.PolicyDocument as { Statement: BucketStatement[] }).Statement;
}

/** The role's statements that act on S3 or Lambda (what this issue adds), beside logs, X-Ray and tables. */
const s3Statements = (statements: PolicyStatement[]) => statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
const invokeStatements = (statements: PolicyStatement[]) => statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('lambda:')));

/** `<bucket ARN>/exports/*` as CloudFormation has it. */
function objectsUnderPrefix(bucketId: string): unknown {
  return { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${EXPORTS_KEY_PREFIX}*`]] };
}

describe('the exports bucket', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: SynthesizedStage;
  let bucketId: string;
  beforeAll(() => {
    dev = synthStage('dev');
    bucketId = logicalIdOf(dev.stacks.api.exportsBucket);
  });

  it('is encrypted (SSE-S3), owned by the account alone (no ACLs), and can never be made public', () => {
    matchResource(dev.api, bucketId, {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        // Downloads are navigations to a presigned link: no script reads the bucket, so no CORS.
        CorsConfiguration: Match.absent(),
        WebsiteConfiguration: Match.absent(),
      },
    });
  });

  it('refuses any request without TLS, or with TLS older than 1.2, on the bucket and every object', () => {
    const statements = bucketPolicyOf(dev, bucketId);
    const bucketAndObjects = [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: bucketAndObjects }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } }, Resource: bucketAndObjects }),
    );
  });

  it("grants nobody anything in its policy but, in dev, CDK's helper that empties it on teardown", () => {
    const allowed = bucketPolicyOf(dev, bucketId).filter((statement) => statement.Effect === 'Allow');
    const autoDelete = Object.keys(resourcesOfType(dev.api, 'AWS::IAM::Role')).find((id) => id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProviderRole'));
    expect(autoDelete).toBeDefined();
    for (const statement of allowed) expect(statement.Principal).toEqual({ AWS: { 'Fn::GetAtt': [autoDelete, 'Arn'] } });
  });

  it('names the prefix the worker writes under', () => {
    expect(EXPORTS_KEY_PREFIX).toBe(EXPORT_OBJECT_PREFIX);
  });

  it(`expires files under ${EXPORTS_KEY_PREFIX} after ${EXPORT_FILE_DAYS} days and gives up unfinished multipart uploads after ${ABORT_MULTIPART_DAYS}`, () => {
    expect([EXPORT_FILE_DAYS, ABORT_MULTIPART_DAYS]).toEqual([7, 1]);
    const rules = new Capture();
    matchResource(dev.api, bucketId, { Properties: { LifecycleConfiguration: { Rules: rules } } });
    expect(rules.asArray()).toEqual([
      { Id: 'ExpireExports', Status: 'Enabled', Prefix: 'exports/', ExpirationInDays: 7, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]);
  });

  it("logs every request (every download of a presigned link) to the site's private access-log bucket, which S3 may write for this bucket", () => {
    const logsId = logicalIdOf(dev.stacks.api.site.accessLogs);
    matchResource(dev.api, bucketId, { Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'exports/' } } });
    const delivery = bucketPolicyOf(dev, logsId).filter(
      (statement) => statement.Effect === 'Allow' && JSON.stringify(statement.Principal).includes('logging.s3.amazonaws.com') && mentions(statement.Condition, bucketId),
    );
    expect(delivery).toHaveLength(1);
    expect(JSON.stringify(delivery[0]!.Resource)).toContain('/exports/*');
  });

  it('goes with a dev stack (emptied first)', () => {
    expect(resourceById(dev.api, bucketId)).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    const emptied = Object.values(resourcesOfType(dev.api, 'Custom::S3AutoDeleteObjects')).filter((resource) => mentions(resource.Properties.BucketName, bucketId));
    expect(emptied).toHaveLength(1);
  });

  it('is kept, with its files, if a prod stack goes', () => {
    const prod = synthStage('prod');
    const prodBucket = logicalIdOf(prod.stacks.api.exportsBucket);
    expect(resourceById(prod.api, prodBucket)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const emptied = Object.values(resourcesOfType(prod.api, 'Custom::S3AutoDeleteObjects')).filter((resource) => mentions(resource.Properties.BucketName, prodBucket));
    expect(emptied).toEqual([]);
    const allowed = bucketPolicyOf(prod, prodBucket).filter((statement) => statement.Effect === 'Allow');
    expect(allowed).toEqual([]);
  });
});

describe('the export worker', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: SynthesizedStage;
  let fn: string;
  let queue: string;
  beforeAll(() => {
    dev = synthStage('dev');
    fn = functionIds(dev)[WORKER]!;
    queue = logicalIdOf(dev.stacks.api.asyncWorkers.exportWorker!.deadLetterQueue);
  });

  it('is the house function of its definition: 15 minutes, a full vCPU, at most 4 at once', () => {
    expect(worker).toEqual({ kind: 'async', retryAttempts: 2, maximumEventAgeSeconds: 21_600 });
    matchResource(dev.api, fn, {
      Properties: {
        Timeout: exportWorkerFunction.timeoutSeconds,
        MemorySize: exportWorkerFunction.memoryMb,
        ReservedConcurrentExecutions: exportWorkerFunction.reservedConcurrency,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      },
    });
    expect([exportWorkerFunction.timeoutSeconds, exportWorkerFunction.memoryMb, exportWorkerFunction.reservedConcurrency]).toEqual([900, 1769, 4]);
  });

  it(`is retried ${worker.retryAttempts} times by Lambda, for at most ${worker.maximumEventAgeSeconds / 3600} hours, and the only function with an asynchronous invocation config`, () => {
    const configs = Object.values(resourcesOfType(dev.api, 'AWS::Lambda::EventInvokeConfig'));
    expect(configs).toHaveLength(functionDefinitions.filter((definition) => definition.trigger.kind === 'async').length);
    dev.api.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: worker.retryAttempts,
      MaximumEventAgeInSeconds: worker.maximumEventAgeSeconds,
    });
  });

  it('sends the events it gave up on to a dead-letter queue of its own: encrypted, TLS only, kept 14 days', () => {
    matchResource(dev.api, fn, { Properties: { DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queue, 'Arn'] } } } });
    matchResource(dev.api, queue, { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 } });
    dev.api.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    // The worker may put messages on it and do nothing else with it; no other function may touch it.
    const sqs = roleStatements(dev, fn).filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
    expect(sqs).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } })]);
    expect(rolesGrantedOn(dev.api, queue)).toEqual([roleOfFunction(dev.api, fn)]);
  });

  it('is started by nothing but the role of POST /v1/exports: no resource permission, event source or schedule', () => {
    expect(Object.values(resourcesOfType(dev.api, 'AWS::Lambda::Permission')).filter((permission) => mentions(permission.Properties.FunctionName, fn))).toEqual([]);
    expect(Object.values(resourcesOfType(dev.api, 'AWS::Lambda::EventSourceMapping')).filter((mapping) => mentions(mapping.Properties.FunctionName, fn))).toEqual([]);
    expect(Object.values(resourcesOfType(dev.api, 'AWS::Events::Rule')).filter((rule) => mentions(rule.Properties.Targets, fn))).toEqual([]);
    // Behind no route either.
    for (const route of Object.values(resourcesOfType(dev.api, 'AWS::ApiGatewayV2::Integration'))) expect(mentions(route.Properties.IntegrationUri, fn)).toBe(false);
  });

  it('alarms, to the alarm topic, when an event is dead-lettered, when a run fails, and when a run nears the timeout', () => {
    const topic = logicalIdOf(dev.stacks.api.alarmTopic.topic);
    const { deadLetterAlarm, errorAlarm, nearTimeoutAlarm } = dev.stacks.api.asyncWorkers.exportWorker!;
    expect(dev.stacks.api.monitoring.alarms).toEqual(expect.arrayContaining([deadLetterAlarm, errorAlarm, nearTimeoutAlarm]));
    const alarm = (construct: Parameters<typeof logicalIdOf>[0]): CfnResource => resourceById(dev.api, logicalIdOf(construct));
    expect(alarm(deadLetterAlarm).Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm(errorAlarm).Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm(nearTimeoutAlarm).Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Maximum',
      Threshold: exportWorkerFunction.timeoutSeconds * 1000 * NEAR_TIMEOUT_SHARE,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const construct of [deadLetterAlarm, errorAlarm, nearTimeoutAlarm]) {
      expect(alarm(construct).Properties).toMatchObject({ AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] });
      expect(String(alarm(construct).Properties.AlarmDescription).length).toBeGreaterThan(20);
    }
    const body = JSON.stringify(Object.values(resourcesOfType(dev.api, 'AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    expect(body).toContain(WORKER);
  });
});

function roleStatements(built: SynthesizedStage, functionId: string): PolicyStatement[] {
  return statementsOfRole(built.api, roleOfFunction(built.api, functionId));
}

describe('least privilege for exports', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: SynthesizedStage;
  let ids: Record<string, string>;
  let bucketId: string;
  let workerId: string;
  beforeAll(() => {
    dev = synthStage('dev');
    ids = functionIds(dev);
    bucketId = logicalIdOf(dev.stacks.api.exportsBucket);
    workerId = ids[WORKER]!;
  });

  it('lets only GET /v1/exports/{exportId} read files, and only the worker write them', () => {
    expect(routeById('getExport')).toMatchObject({ exportsBucket: 'read' });
    expect(exportWorkerFunction.exportsBucket).toBe('write');
    const readers = functionDefinitions.filter((definition) => definition.exportsBucket === 'read').map((definition) => definition.id);
    const writers = functionDefinitions.filter((definition) => definition.exportsBucket === 'write').map((definition) => definition.id);
    expect([readers, writers]).toEqual([['getExport'], [WORKER]]);
    // Read: GetObject, which presigning a link needs. Write: a multipart upload, aborted if it fails.
    expect(s3Statements(roleStatements(dev, ids.getExport!))).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: objectsUnderPrefix(bucketId) }]);
    const writes = s3Statements(roleStatements(dev, workerId));
    expect(writes).toHaveLength(1);
    expect(actionsOf(writes[0]!).sort()).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    expect(writes[0]!.Resource).toEqual(objectsUnderPrefix(bucketId));
  });

  it('gives every function exactly the bucket access of its definition, under exports/ only, with no wildcard action, and no other function any S3 access', () => {
    for (const definition of functionDefinitions as readonly FunctionDefinition[]) {
      const statements = s3Statements(roleStatements(dev, ids[definition.id]!));
      if (!definition.exportsBucket) {
        expect(statements, definition.id).toEqual([]);
        continue;
      }
      expect(statements.flatMap(actionsOf).sort(), definition.id).toEqual([...BUCKET_ACTIONS[definition.exportsBucket]].sort());
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.Resource, definition.id).toEqual(objectsUnderPrefix(bucketId));
      }
    }
    // No role in the stack has a wildcard S3 action, or reaches the exports bucket but those two.
    for (const role of Object.keys(resourcesOfType(dev.api, 'AWS::IAM::Role'))) {
      const actions = s3Statements(statementsOfRole(dev.api, role)).flatMap(actionsOf);
      if (role.startsWith('CustomCDKBucketDeployment')) continue; // CDK's deployment of the pages (docs/security.md)
      expect(actions.filter((action) => action === 's3:*' || action.endsWith('*')), role).toEqual([]);
    }
    expect(rolesGrantedOn(dev.api, bucketId).sort()).toEqual([roleOfFunction(dev.api, ids.getExport!), roleOfFunction(dev.api, workerId)].sort());
  });

  it('tells the bucket name to exactly the functions with bucket access', () => {
    for (const definition of functionDefinitions) {
      const environment = environmentOf(dev.api, ids[definition.id]!);
      if (definition.exportsBucket) expect(environment.EXPORTS_BUCKET, definition.id).toEqual({ Ref: bucketId });
      else expect(environment.EXPORTS_BUCKET, definition.id).toBeUndefined();
    }
  });

  it('lets only POST /v1/exports start the worker, on exactly its ARN, and tells it the worker’s name', () => {
    expect(routeById('createExport')).toMatchObject({ invokes: [WORKER] });
    const invokers = functionDefinitions.filter((definition) => (definition.invokes ?? []).length > 0).map((definition) => definition.id);
    expect(invokers).toEqual(['createExport']);
    expect(invokeStatements(roleStatements(dev, ids.createExport!))).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [workerId, 'Arn'] } }]);
    expect(environmentOf(dev.api, ids.createExport!)[ASYNC_FUNCTION_SETTINGS.exportWorker]).toEqual({ Ref: workerId });
    // Nobody else may invoke any function, or learn the worker's name.
    for (const definition of functionDefinitions.filter((candidate) => candidate.id !== 'createExport')) {
      expect(invokeStatements(roleStatements(dev, ids[definition.id]!)), definition.id).toEqual([]);
      expect(environmentOf(dev.api, ids[definition.id]!)[ASYNC_FUNCTION_SETTINGS.exportWorker], definition.id).toBeUndefined();
    }
    // And no other role in the stack names the worker's function.
    const naming = Object.keys(resourcesOfType(dev.api, 'AWS::IAM::Role')).filter((role) => statementsOfRole(dev.api, role).some((statement) => mentions(statement.Resource, workerId)));
    expect(naming).toEqual([roleOfFunction(dev.api, ids.createExport!)]);
  });

  it('acknowledges the `exports/*` wildcard of cdk-nag (IAM5) on the bucket functions alone, naming this bucket and prefix', () => {
    const rule = `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${EXPORTS_KEY_PREFIX}*]`;
    for (const definition of functionDefinitions) {
      const fn = dev.stacks.api.functions[definition.id]!;
      const acknowledged = fn.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((key) => key.replace(/^Annotation::/, '')));
      expect(acknowledged.includes(rule), definition.id).toBe(definition.exportsBucket !== undefined);
    }
  });
});
