/**
 * What a Lambda function's definition holds (the shape of each entry of `shared/model/functions.ts`). On
 * its own, with no values, so a module that defines one function (`shared/model/async-functions.ts`) does
 * not bring in the list of every function, and with it every route.
 */
import type { AsyncFunctionId, BucketAccess, DynamoCalls, RouteDefinition, TableAccess, UserPoolAction } from '#shared/model/route-definition';
import type { ScheduleDefinition } from '#shared/model/schedules';
import type { SettingName } from '#shared/model/settings';
import type { TableId } from '#shared/model/tables';

export type FunctionTrigger =
  | { kind: 'route'; route: RouteDefinition }
  | { kind: 'fallback' }
  | { kind: 'authorizer' }
  | { kind: 'stream'; source: TableId }
  | { kind: 'schedule'; schedule: ScheduleDefinition }
  /** Invoked asynchronously by a route (InvocationType Event): Lambda retries it, then dead-letters the event. */
  | { kind: 'async'; retryAttempts: number; maximumEventAgeSeconds: number }
  /** A trigger of the Cognito user pool, built with the pool (data stack); `calls` are the actions it may take on that pool. */
  | { kind: 'userPool'; operation: 'preTokenGeneration'; calls: readonly 'AdminGetUser'[] };

export interface FunctionDefinition {
  id: string;
  /** Entry file, relative to the repository root; it exports `handler`. */
  handler: string;
  description: string;
  /** The tables whose names the function is told, and how it uses them (an RO table is never written). */
  tables: Partial<Record<TableId, TableAccess>>;
  /**
   * The DynamoDB actions its code calls on each of its tables (`Query:<index>` for a Query of an index):
   * exactly what the CDK app grants, per table and index (`tableGrants`). Every table of `tables` has an
   * entry; none other does. Absent: it calls DynamoDB on no table.
   */
  dynamodb?: DynamoCalls;
  /** The settings it reads besides table names (`shared/model/settings.ts`). */
  settings: readonly SettingName[];
  /** The Cognito actions it calls on the user pool (it then reads USER_POOL_ID). */
  userPool?: readonly UserPoolAction[];
  /** The exports bucket and how (it then reads EXPORTS_BUCKET). */
  exportsBucket?: BucketAccess;
  /** The functions it invokes asynchronously (it then reads each one's name setting). */
  invokes?: readonly AsyncFunctionId[];
  timeoutSeconds: number;
  memoryMb: number;
  /** A ceiling on concurrent runs, where a runaway would hurt others. */
  reservedConcurrency?: number;
  trigger: FunctionTrigger;
}

