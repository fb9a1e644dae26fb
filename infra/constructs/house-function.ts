import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable, ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TableAccess } from '../../shared/routes';
import { houseBundling } from './bundling';

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  RO: READ_ACTIONS,
  RW: [...READ_ACTIONS, ...WRITE_ACTIONS],
};

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HouseFunctionProps {
  /** Entry file relative to the repository root, as the route table names it; it exports `handler`. */
  entry: string;
  description?: string;
  logLevel: 'DEBUG' | 'INFO';
  logRemovalPolicy: RemovalPolicy;
  /** Longer than the 10 s default for work that is not a request: a stream batch, the hourly job. */
  timeout?: Duration;
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
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, props.entry),
      handler: 'handler',
      ...(props.description ? { description: props.description } : {}),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
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
  }

  /**
   * Grants exactly the access the route table names, and tells the function the table's name. The
   * actions are listed rather than taken from grantReadData/grantReadWriteData, which include Scan:
   * no request path or job may scan (DESIGN §9), so no function is allowed to.
   */
  bindTable(table: ITableV2 | ITable, access: TableAccess, envVar: string): void {
    table.grant(this.function, ...TABLE_ACTIONS[access]);
    this.function.addEnvironment(envVar, table.tableName);
  }
}
