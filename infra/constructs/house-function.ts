import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TableWriteAction } from '#shared/model/functions';
import type { TableAccess } from '#shared/model/routes';
import type { TableDefinition } from '#shared/model/tables';
import { acknowledge } from '../nag';
import { houseBundling } from './bundling';

/** Reads of a table; Query is also what reads its indexes. */
export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
/** Writes go to the table only: DynamoDB keeps the indexes itself. */
export const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

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
}

/** Every Lambda of the service, built one way: the defaults live here, not at each call site. */
export class HouseFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
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

  /**
   * Grants exactly the access the route table names, and tells the function the table's name. The
   * actions are listed rather than taken from grantReadData/grantReadWriteData, which include Scan:
   * no request path or job may scan (DESIGN §9), so no function is allowed to. Reads reach the table
   * and its named indexes (not `index/*`); writes reach the table alone, and only the write actions the
   * function's definition names where it narrows them (`writes`).
   */
  bindTable(table: ITableV2, access: TableAccess, definition: TableDefinition, writes?: readonly TableWriteAction[]): void {
    const indexes = definition.indexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
    this.function.addToRolePolicy(new PolicyStatement({ actions: READ_ACTIONS, resources: [table.tableArn, ...indexes] }));
    const actions = writes ? writes.map((action) => `dynamodb:${action}`) : WRITE_ACTIONS;
    if (access === 'RW' && actions.length > 0) this.function.addToRolePolicy(new PolicyStatement({ actions, resources: [table.tableArn] }));
    this.function.addEnvironment(definition.envVar, table.tableName);
  }
}
