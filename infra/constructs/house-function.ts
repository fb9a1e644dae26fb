import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { dynamoDeclarationProblems, functionDefinitions, tableGrants, type FunctionDefinition, type TableWriteAction } from '#shared/model/functions';
import { DYNAMODB_READ_ACTIONS, DYNAMODB_WRITE_ACTIONS, type BucketAccess, type TableAccess } from '#shared/model/routes';
import type { SettingName } from '#shared/model/settings';
import { TABLE_IDS, tables as tableDefinitions, type TableDefinition } from '#shared/model/tables';
import { acknowledge } from '../nag';
import { houseBundling } from './bundling';

/** The reads a function may be granted on a table (those its definition's `dynamodb` names); an index is only ever queried. */
export const READ_ACTIONS: string[] = DYNAMODB_READ_ACTIONS.map((action) => `dynamodb:${action}`);
/** The writes it may be granted, on the table only: DynamoDB keeps the indexes itself. */
export const WRITE_ACTIONS: string[] = DYNAMODB_WRITE_ACTIONS.map((action) => `dynamodb:${action}`);

/**
 * What each kind of bucket access may do to the objects under its prefix, and nothing else: no List, no
 * Delete, nothing on the bucket itself. Writing is a multipart upload (PutObject covers creating it, its
 * parts and completing it; a failed upload is aborted).
 */
export const BUCKET_ACTIONS = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload'],
} as const satisfies Record<BucketAccess, readonly string[]>;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HouseFunctionProps {
  /** Entry file relative to the repository root, as the route table names it; it exports `handler`. */
  entry: string;
  description?: string;
  logLevel: 'DEBUG' | 'INFO';
  logRemovalPolicy: RemovalPolicy;
  /** Longer than the 10 s default for work that is not a request: a stream batch, the hourly job. */
  timeout?: Duration;
  /** More than the 512 MB default where the work is CPU-bound (Lambda gives CPU in proportion to memory). */
  memorySize?: number;
  /**
   * A ceiling on concurrent runs, for functions whose runaway would hurt others (a storm of exports
   * starving the return writes of account concurrency, overlapping reminder runs). Unset: no ceiling.
   */
  reservedConcurrency?: number;
  /**
   * For a function invoked asynchronously (InvocationType Event): how often Lambda retries a failed run
   * and how long it keeps trying an event (throttled runs wait in Lambda's queue meanwhile), after which
   * the event goes to a dead-letter queue of the function's own (`deadLetterQueue`).
   */
  asyncInvocation?: { retryAttempts: number; maxEventAge: Duration };
}

/** Every Lambda of the service, built one way: the defaults live here, not at each call site. */
export class HouseFunction extends Construct {
  readonly function: NodejsFunction;
  /** Where Lambda puts the events of an asynchronous function it gave up on (with `asyncInvocation` only). */
  readonly deadLetterQueue?: Queue;

  /** The entry file, by which the function's definition (`shared/model/functions.ts`) is found. */
  private readonly entry: string;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy,
    });
    // Its own role instead of AWSLambdaBasicExecutionRole, which may write to every log group in the
    // account: this one may write to its own group only (the group exists, so no CreateLogGroup).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    logGroup.grantWrite(role);
    // A DeadLetterConfig rather than an on-failure destination: the same event, with the error as message
    // attributes, and cdk-nag sees the queue is a dead-letter queue (SQS3) without being told.
    if (props.asyncInvocation) {
      this.deadLetterQueue = new Queue(this, 'DeadLetters', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    }
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, props.entry),
      handler: 'handler',
      ...(props.description ? { description: props.description } : {}),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      ...(props.asyncInvocation && this.deadLetterQueue
        ? { retryAttempts: props.asyncInvocation.retryAttempts, maxEventAge: props.asyncInvocation.maxEventAge, deadLetterQueue: this.deadLetterQueue }
        : {}),
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'capacity-tracker',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: 'CapacityTracker',
        NODE_OPTIONS: '--enable-source-maps',
      },
      // One definition, shared with the bundle benchmark (scripts/bench/bundles.ts).
      bundling: houseBundling,
    });
    acknowledge(this, {
      'AwsSolutions-L1':
        'Node.js 22 is the house runtime: the bundles target it and the tests run on it; moving to a newer runtime is a deliberate change, not a synth default',
      'AwsSolutions-IAM5[Resource::*]':
        'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) is granted on *: X-Ray has no resource-level permissions. Table, log, key and queue grants are each on their own ARN (the assertion tests check that * carries nothing else)',
    });
  }

  /** The function's definition: the one whose entry file this function runs. */
  private definition(): FunctionDefinition {
    const found = functionDefinitions.find((definition) => definition.handler === this.entry);
    if (!found) throw new Error(`${this.node.path}: no definition in shared/model/functions.ts runs ${this.entry}, so nothing says what it may do to a table`);
    return found;
  }

  /**
   * Grants exactly the DynamoDB actions the function's definition says its code calls on the table
   * (`dynamodb`, read through `tableGrants`), and tells the function the table's name: its reads and
   * writes on the table itself, and Query on each index it queries, by name (never `index/*`). Never Scan
   * (DESIGN §9: no request path or job scans), never an index it does not query, never a write on an RO
   * table. The actions are listed rather than taken from grantReadData/grantReadWriteData, which grant
   * every read (Scan included) or every write. `writes`, when given (the stack passes what
   * `writeActions` reads from the same declaration), must agree with it.
   */
  bindTable(table: ITableV2, access: TableAccess, definition: TableDefinition, writes?: readonly TableWriteAction[]): void {
    const fn = this.definition();
    const tableId = TABLE_IDS.find((id) => tableDefinitions[id].envVar === definition.envVar);
    if (!tableId) throw new Error(`${this.node.path}: ${definition.envVar} is not a table of shared/model/tables.ts`);
    const problems = dynamoDeclarationProblems(fn);
    if (problems.length > 0) throw new Error(`${this.node.path}: its dynamodb declaration does not hold: ${problems.join('; ')}`);
    if (fn.tables[tableId] !== access) throw new Error(`${this.node.path}: bound ${tableId} ${access}, but its definition says ${fn.tables[tableId] ?? 'nothing'}`);
    const grants = tableGrants(fn, tableId);
    if (writes && [...writes].sort().join() !== [...grants.writes].sort().join()) {
      throw new Error(`${this.node.path}: asked to grant ${writes.join(', ') || 'no write'} on ${tableId}, but its definition declares ${grants.writes.join(', ') || 'none'}`);
    }
    const actions = (names: readonly string[]) => names.map((name) => `dynamodb:${name}`);
    if (grants.reads.length > 0) this.function.addToRolePolicy(new PolicyStatement({ actions: actions(grants.reads), resources: [table.tableArn] }));
    if (grants.indexes.length > 0) {
      this.function.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: grants.indexes.map((index) => `${table.tableArn}/index/${index}`) }));
    }
    if (grants.writes.length > 0) this.function.addToRolePolicy(new PolicyStatement({ actions: actions(grants.writes), resources: [table.tableArn] }));
    this.function.addEnvironment(definition.envVar, table.tableName);
  }

  /**
   * Grants the bucket access a definition names (`exportsBucket`) on the objects under `keyPrefix` alone,
   * and tells the function the bucket's name. Reading is what presigning a GET needs: the link is signed
   * with the function's credentials, so it can fetch what the function could.
   */
  bindBucket(bucket: IBucket, access: BucketAccess, keyPrefix: string, setting: SettingName): void {
    this.function.addToRolePolicy(new PolicyStatement({ actions: [...BUCKET_ACTIONS[access]], resources: [bucket.arnForObjects(`${keyPrefix}*`)] }));
    this.function.addEnvironment(setting, bucket.bucketName);
    // cdk-nag names the resource by the bucket's logical id, so the bucket must be of this stack.
    const cfnBucket = bucket.node.defaultChild as CfnElement | undefined;
    if (!cfnBucket || Stack.of(cfnBucket) !== Stack.of(this)) throw new Error(`${this.node.path}: bind a bucket of the function's own stack`);
    acknowledge(this, {
      [`AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(cfnBucket)}.Arn>/${keyPrefix}*]`]:
        `Objects under ${keyPrefix} of this one bucket: each export is a new key, so the objects cannot be named in advance; only ${BUCKET_ACTIONS[access].join(' and ')}, nothing on the bucket itself or its other keys`,
    });
  }

  /**
   * Lets the function invoke another (asynchronously, as the definition's `invokes` says) on exactly that
   * function's ARN (not `:*`, its versions and aliases, which grantInvoke adds), and tells it the name.
   */
  bindInvocation(target: { functionArn: string; functionName: string }, setting: SettingName): void {
    this.function.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }));
    this.function.addEnvironment(setting, target.functionName);
  }
}
