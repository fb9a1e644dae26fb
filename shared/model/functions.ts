/**
 * Every Lambda function of the service, defined once: its entry file, the tables it touches and how, the
 * settings it reads, its timeout and memory, and what runs it (an HTTP route, the returns stream, a
 * schedule, the API's authorizer). The CDK app builds each function from this (grants, environment,
 * sizing, trigger), and the local stack runs each handler with the same timeout and with only the
 * tables and settings declared here, so a handler reaching for anything else fails locally as it would
 * at its first invocation in AWS.
 */
import { routes, type AsyncFunctionId, type BucketAccess, type RouteDefinition, type RouteId, type TableAccess, type UserPoolAction } from '#shared/model/routes';
import { schedules, type ScheduleDefinition } from '#shared/model/schedules';
import type { SettingName } from '#shared/model/settings';
import { tables as tableDefinitions, type TableId } from '#shared/model/tables';

export type FunctionTrigger =
  | { kind: 'route'; route: RouteDefinition }
  | { kind: 'fallback' }
  | { kind: 'authorizer' }
  | { kind: 'stream'; source: TableId }
  | { kind: 'schedule'; schedule: ScheduleDefinition }
  /** Invoked asynchronously by a route (InvocationType Event): Lambda retries it, then dead-letters the event. */
  | { kind: 'async'; retryAttempts: number; maximumEventAgeSeconds: number };

/** The DynamoDB write actions a function may be granted on a table (`writes` narrows RW to some of them). */
export const TABLE_WRITE_ACTIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;
export type TableWriteAction = (typeof TABLE_WRITE_ACTIONS)[number];

export interface FunctionDefinition {
  id: string;
  /** Entry file, relative to the repository root; it exports `handler`. */
  handler: string;
  description: string;
  /** What the CDK app grants (and no more) and whose names the function is told. */
  tables: Partial<Record<TableId, TableAccess>>;
  /**
   * Where RW is more than the function needs: the write actions it is granted on that table instead of all
   * of them (`TABLE_WRITE_ACTIONS`). Reads are never narrowed.
   */
  writes?: Partial<Record<TableId, readonly TableWriteAction[]>>;
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

/** A request function's defaults: well inside API Gateway's 29 s, and half a vCPU. */
export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_MEMORY_MB = 512;

/**
 * The national exports read and write up to ~110,000 CSV rows (a year of every authority) and gzip them:
 * measured at 8–11 s locally (`npm run bench`), past the 10 s the other routes get. They get API
 * Gateway's whole integration window and a full vCPU (Lambda's CPU grows with memory; 1,769 MB is one).
 * An export reads up to a year of aggregates, so a loop of them could take the account's concurrency from
 * the return writes: they have ceilings.
 */
const EXPORT = { timeoutSeconds: 29, memoryMb: 1769 } as const;
const ROUTE_SIZING: Partial<Record<RouteId, Partial<Pick<FunctionDefinition, 'timeoutSeconds' | 'memoryMb' | 'reservedConcurrency'>>>> = {
  exportAggregates: { ...EXPORT, reservedConcurrency: 4 },
  exportLocations: { ...EXPORT, reservedConcurrency: 2 },
  // A bulk upload writes up to 500 returns, each as its PUT would (reads, then a transaction), 8 at a time:
  // a few seconds, more when DynamoDB throttles and the SDK retries. It gets API Gateway's whole window;
  // it stops starting rows a few seconds before the end and answers with what it wrote and what it did not.
  bulkReturns: { timeoutSeconds: 29 },
};

const routeFunctions: FunctionDefinition[] = (routes as readonly RouteDefinition[]).map((route) => ({
  id: route.id,
  handler: route.handler,
  description: `${route.method} ${route.path}`,
  tables: route.tables,
  settings: [...(route.settings ?? []), ...(route.userPool ? (['USER_POOL_ID'] as const) : [])],
  ...(route.userPool ? { userPool: route.userPool } : {}),
  ...(route.exportsBucket ? { exportsBucket: route.exportsBucket } : {}),
  ...(route.invokes ? { invokes: route.invokes } : {}),
  timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  memoryMb: DEFAULT_MEMORY_MB,
  ...ROUTE_SIZING[route.id as RouteId],
  trigger: { kind: 'route', route },
}));

/** Catches every unmatched request, so a wrong path gets problem+json in AWS just as locally. */
export const fallbackFunction = {
  id: 'notFound',
  handler: 'functions/not-found.ts',
  description: 'unmatched requests',
  tables: {},
  settings: [],
  timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  memoryMb: DEFAULT_MEMORY_MB,
  trigger: { kind: 'fallback' },
} as const satisfies FunctionDefinition;

/**
 * The HTTP API's Lambda authorizer, in front of every route whose access is not `public`. It verifies ID
 * tokens against the issuer's keys and update links with the HMAC key, checking them against
 * revocations; memberships are checked by the routes themselves. API Gateway waits 10 s for it.
 */
export const authorizerFunction = {
  id: 'authorizer',
  handler: 'functions/authorizer.ts',
  description: 'Lambda authorizer: who is calling',
  // users: a disabled user is refused, and a user's role and areas are the table's (changes hold at once).
  tables: { revocations: 'RO', users: 'RO' },
  settings: ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URL', 'UPDATE_LINK_SECRET_ARN'],
  timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  memoryMb: DEFAULT_MEMORY_MB,
  trigger: { kind: 'authorizer' },
} as const satisfies FunctionDefinition;

/** The returns stream's consumer: keeps the daily aggregates equal to the sums of the stored returns. */
export const aggregatorFunction = {
  id: 'aggregator',
  handler: 'functions/aggregator.ts',
  description: 'Returns stream → daily aggregates',
  /** The table whose stream feeds it. */
  source: 'returns',
  // locations: counts of active locations for locationsExpected, and the latest-return copy it keeps there;
  // vacancyIndex: the search entries of each location's newest return.
  tables: { aggregates: 'RW', aggregateLedger: 'RW', locations: 'RW', vacancyIndex: 'RW' },
  settings: [],
  /** A batch of 100 records is a few transactions; a minute leaves room for retries after throttling. */
  timeoutSeconds: 60,
  memoryMb: DEFAULT_MEMORY_MB,
  /**
   * Lambda's event source mapping, and the local poller, both take these. No batching window: Lambda then
   * invokes as soon as a shard has records (it polls each shard four times a second, as the local poller
   * does), so a return reaches the aggregates well within the 1 s the discharge teams are promised; a window
   * would add up to its length to every record's lag to save invocations that cost little at this volume.
   */
  stream: { batchSize: 100, maximumRetryAttempts: 5, bisectBatchOnError: true, maximumBatchingWindowSeconds: 0 },
  trigger: { kind: 'stream', source: 'returns' },
} as const satisfies FunctionDefinition & { source: TableId; stream: Record<string, number | boolean> };

/**
 * The returns stream's second consumer: saved searches (DESIGN §10.3). For each location's newest return it
 * reads the location (coordinates, address, phone), the searches watching its latitude row, and each
 * candidate's match state; a search it newly matches gets one email a day for that location, with an
 * unsubscribe link signed with the update-link key (so it reads the key) and sent as the service (SES).
 * Its own event source mapping on the same stream: a slow SES never holds the aggregates back.
 */
export const savedSearchAlertsFunction = {
  id: 'savedSearchAlerts',
  handler: 'functions/saved-search-alerts.ts',
  description: 'Returns stream → saved-search emails',
  source: 'returns',
  // locations: coordinates and contact of the batch's locations (BatchGetItem); savedSearches: the watch
  // items of a row (Query), and the match state, the only thing it writes (UpdateItem).
  tables: { locations: 'RO', savedSearches: 'RW' },
  writes: { savedSearches: ['UpdateItem'] },
  settings: ['WEB_BASE_URL', 'REMINDER_FROM_ADDRESS', 'UPDATE_LINK_SECRET_ARN'],
  timeoutSeconds: 60,
  memoryMb: DEFAULT_MEMORY_MB,
  stream: { batchSize: 100, maximumRetryAttempts: 5, bisectBatchOnError: true, maximumBatchingWindowSeconds: 0 },
  trigger: { kind: 'stream', source: 'returns' },
} as const satisfies FunctionDefinition & { source: TableId; stream: Record<string, number | boolean> };

/**
 * The hourly reminder job: finds stale locations, signs update links (so it reads the key), sends through
 * SES (so it has a sender address) with links to the web pages. One run at a time: a second copy of it
 * is never wanted.
 */
export const reminderFunction = {
  id: 'reminders',
  handler: 'functions/reminders.ts',
  description: schedules.reminders.description,
  // locations: it resumes the pauses that have ended (an update, nothing else).
  tables: { locations: 'RW', reminderSends: 'RW', contacts: 'RO' },
  writes: { locations: ['UpdateItem'] },
  settings: ['WEB_BASE_URL', 'REMINDER_FROM_ADDRESS', 'UPDATE_LINK_SECRET_ARN'],
  timeoutSeconds: 15 * 60,
  memoryMb: DEFAULT_MEMORY_MB,
  reservedConcurrency: 1,
  trigger: { kind: 'schedule', schedule: schedules.reminders },
} as const satisfies FunctionDefinition;

/**
 * The daily sync with the CQC Syndication API: the locations the register changed since the last
 * successful sync, each fetched and put through the file import's mapping and field-by-field upsert,
 * placed with the stored areas. It reads the CQC subscription key (so only it may), and writes the
 * directory only as the import does: new locations in batches, changed ones field by field. One run at a
 * time; a run stops starting windows a minute before its timeout and the next carries on.
 */
export const cqcSyncFunction = {
  id: 'cqcSync',
  handler: 'functions/cqc-sync.ts',
  description: schedules.cqcSync.description,
  tables: { locations: 'RW', areas: 'RO', syncCheckpoints: 'RW' },
  writes: { locations: ['BatchWriteItem', 'UpdateItem'], syncCheckpoints: ['PutItem'] },
  settings: ['CQC_API_BASE_URL', 'CQC_API_KEY_SECRET_ARN'],
  timeoutSeconds: 15 * 60,
  memoryMb: DEFAULT_MEMORY_MB,
  reservedConcurrency: 1,
  trigger: { kind: 'schedule', schedule: schedules.cqcSync },
} as const satisfies FunctionDefinition;

/**
 * The export worker (DESIGN §10.4): started by `POST /v1/exports` with an asynchronous invocation, it
 * streams the rows of one job into the exports bucket (a multipart upload, gzipped if asked) and records
 * the outcome on the job. Rows stream, so its memory stays flat whatever the size; the largest export
 * (three years of every location's returns) is well inside 15 minutes. Lambda retries a failed run
 * twice, then the event goes to the dead-letter queue, which is alarmed.
 */
export const exportWorkerFunction = {
  id: 'exportWorker',
  handler: 'functions/export-worker.ts',
  description: 'Export jobs → files in the exports bucket',
  // returns: the byDay index; aggregates: byLevel and area Queries; areas: every area of a level (zero
  // rows); locations: active counts, for the locationsExpected of a day nobody reported.
  tables: { exports: 'RW', returns: 'RO', aggregates: 'RO', areas: 'RO', locations: 'RO' },
  writes: { exports: ['UpdateItem'] },
  settings: ['EXPORTS_BUCKET'],
  exportsBucket: 'write',
  timeoutSeconds: 15 * 60,
  // A full vCPU for gzip and the row formatting; the rows themselves stream (peak RSS is in the bench).
  memoryMb: 1769,
  reservedConcurrency: 4,
  trigger: { kind: 'async', retryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 },
} as const satisfies FunctionDefinition;

export const functionDefinitions: readonly FunctionDefinition[] = [
  ...routeFunctions,
  fallbackFunction,
  authorizerFunction,
  aggregatorFunction,
  savedSearchAlertsFunction,
  reminderFunction,
  cqcSyncFunction,
  exportWorkerFunction,
];

export function functionById(id: string): FunctionDefinition {
  const found = functionDefinitions.find((definition) => definition.id === id);
  if (!found) throw new Error(`no function ${id} in shared/model/functions.ts`);
  return found;
}

/** What a function may do besides its tables, read from the settings it declares. */
export function sendsEmail(definition: FunctionDefinition): boolean {
  return definition.settings.includes('REMINDER_FROM_ADDRESS');
}
export function readsUpdateLinkKey(definition: FunctionDefinition): boolean {
  return definition.settings.includes('UPDATE_LINK_SECRET_ARN');
}
export function readsCqcApiKey(definition: FunctionDefinition): boolean {
  return definition.settings.includes('CQC_API_KEY_SECRET_ARN');
}

/** The setting that carries the name of a function others invoke asynchronously. */
export const ASYNC_FUNCTION_SETTINGS = { exportWorker: 'EXPORT_WORKER_FUNCTION' } as const satisfies Record<AsyncFunctionId, SettingName>;

/** The Cognito actions a function is granted on the user pool. */
export function cognitoActions(definition: FunctionDefinition): readonly UserPoolAction[] {
  return definition.userPool ?? [];
}

/** The write actions a function is granted on a table it may write: those of `writes`, or all of them. */
export function writeActions(definition: FunctionDefinition, table: TableId): readonly TableWriteAction[] {
  if (definition.tables[table] !== 'RW') return [];
  return definition.writes?.[table] ?? TABLE_WRITE_ACTIONS;
}

/** The environment variables that carry a function's table names. */
export function tableVariables(definition: FunctionDefinition): Record<string, TableId> {
  return Object.fromEntries(Object.keys(definition.tables).map((id) => [tableDefinitions[id as TableId].envVar, id as TableId]));
}
