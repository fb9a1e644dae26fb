/**
 * Every Lambda function of the service, defined once: its entry file, the tables it touches and how, the
 * settings it reads, its timeout and memory, and what runs it (an HTTP route, the returns stream, a
 * schedule, the API's authorizer). The CDK app builds each function from this (grants, environment,
 * sizing, trigger), and the local stack runs each handler with the same timeout and with only the
 * tables and settings declared here, so a handler reaching for anything else fails locally as it would
 * at its first invocation in AWS.
 */
import { exportWorkerFunction } from '#shared/model/async-functions';
import type { FunctionDefinition } from '#shared/model/function-definition';
import {
  DYNAMODB_READ_ACTIONS,
  DYNAMODB_WRITE_ACTIONS,
  routes,
  type DynamoAction,
  type DynamoReadAction,
  type DynamoWriteAction,
  type RouteDefinition,
  type RouteId,
  type UserPoolAction,
} from '#shared/model/routes';
import { schedules } from '#shared/model/schedules';
import { tables as tableDefinitions, type TableId } from '#shared/model/tables';

export type { FunctionDefinition, FunctionTrigger } from '#shared/model/function-definition';

/** The DynamoDB write actions a function may be granted on a table (its `dynamodb` names those it calls). */
export const TABLE_WRITE_ACTIONS = DYNAMODB_WRITE_ACTIONS;
export type TableWriteAction = DynamoWriteAction;

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
  dynamodb: route.dynamodb,
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
  dynamodb: {},
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
  // One item each, by key: the location's revocation (update links), the caller's user (tokens).
  dynamodb: { revocations: ['GetItem'], users: ['GetItem'] },
  settings: ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWKS_URL', 'UPDATE_LINK_SECRET_ARN'],
  timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  memoryMb: DEFAULT_MEMORY_MB,
  trigger: { kind: 'authorizer' },
} as const satisfies FunctionDefinition;

/** How long DynamoDB Streams keeps a record (fixed by DynamoDB); a consumer's record age stays well inside it. */
export const STREAM_RETENTION_SECONDS = 24 * 60 * 60;

/** The returns stream's consumer: keeps the daily aggregates equal to the sums of the stored returns. */
export const aggregatorFunction = {
  id: 'aggregator',
  handler: 'functions/aggregator.ts',
  description: 'Returns stream → daily aggregates',
  /** The table whose stream feeds it. */
  source: 'returns',
  // locations: counts of active locations for locationsExpected, each location's place and the version of
  // its latest-return copy, and the copy itself where a return's own write does not keep it;
  // vacancyIndex: the search entries of each location's newest return.
  tables: { aggregates: 'RW', aggregateLedger: 'RW', locations: 'RW', vacancyIndex: 'RW' },
  // A batch's state is read with BatchGetItem (ledger entries, locations, vacancy manifests, 100 keys a
  // call), and everything it writes goes in transactions: aggregates moved by ADD with the ledger entries
  // (put, conditional on the version seen); locations: the latest-return copy (an update; it never puts
  // or deletes a location); vacancyIndex: a location's manifest put and its entries replaced.
  dynamodb: {
    aggregates: ['UpdateItem'],
    aggregateLedger: ['BatchGetItem', 'PutItem'],
    locations: ['BatchGetItem', 'Query:activeByCountry', 'Query:activeByLocalAuthority', 'Query:activeByRegion', 'UpdateItem'],
    vacancyIndex: ['BatchGetItem', 'PutItem', 'DeleteItem'],
  },
  settings: [],
  /** A batch of 100 records is a few transactions; a minute leaves room for retries after throttling. */
  timeoutSeconds: 60,
  memoryMb: DEFAULT_MEMORY_MB,
  /**
   * Lambda's event source mapping, and the local poller, both take these. No batching window: Lambda then
   * invokes as soon as a shard has records (it polls each shard four times a second, as the local poller
   * does), so a return reaches the aggregates well within the 1 s the discharge teams are promised; a window
   * would add up to its length to every record's lag to save invocations that cost little at this volume.
   * `maximumRecordAgeSeconds`: a record still not handled 6 hours after it was written (the function
   * failing or throttled all that time) goes to the dead-letter queue, well inside the stream's 24-hour
   * retention (`STREAM_RETENTION_SECONDS`): the alarm fires while the records are still in the stream,
   * and `npm run aggregates:rebuild` recovers from the stored returns either way.
   */
  stream: { batchSize: 100, maximumRetryAttempts: 5, bisectBatchOnError: true, maximumBatchingWindowSeconds: 0, maximumRecordAgeSeconds: 21_600 },
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
  dynamodb: { locations: ['BatchGetItem'], savedSearches: ['GetItem', 'Query', 'UpdateItem'] },
  settings: ['WEB_BASE_URL', 'REMINDER_FROM_ADDRESS', 'UPDATE_LINK_SECRET_ARN'],
  timeoutSeconds: 60,
  memoryMb: DEFAULT_MEMORY_MB,
  // Given up on at the aggregator's age, 6 hours, well inside the stream's retention (its dead-letter alarm says so).
  stream: { batchSize: 100, maximumRetryAttempts: 5, bisectBatchOnError: true, maximumBatchingWindowSeconds: 0, maximumRecordAgeSeconds: 21_600 },
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
  // locations: the stale (activeByCountry) and the pauses ending (pausedByCountry); reminderSends: each
  // send claimed with a conditional put, marked sent, or released if SES refused it; contacts: a batch of
  // locations' addresses, a provider's contacts, the commissioners (byKind).
  dynamodb: {
    locations: ['Query:activeByCountry', 'Query:pausedByCountry', 'UpdateItem'],
    reminderSends: ['PutItem', 'UpdateItem', 'DeleteItem'],
    contacts: ['BatchGetItem', 'Query', 'Query:byKind'],
  },
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
  dynamodb: { locations: ['BatchGetItem', 'BatchWriteItem', 'UpdateItem'], areas: ['Query'], syncCheckpoints: ['GetItem', 'PutItem'] },
  settings: ['CQC_API_BASE_URL', 'CQC_API_KEY_SECRET_ARN'],
  timeoutSeconds: 15 * 60,
  memoryMb: DEFAULT_MEMORY_MB,
  reservedConcurrency: 1,
  trigger: { kind: 'schedule', schedule: schedules.cqcSync },
} as const satisfies FunctionDefinition;

/**
 * The user pool's pre token generation trigger: adds the MFA claim to the ID token of a user who has an
 * authenticator app (TOTP) enabled and preferred, read with AdminGetUser; the authorizer refuses admin,
 * national and commissioner tokens without it. Built in the data stack with the pool, which names it
 * (from the API stack that would be a reference each way), so not in `functionDefinitions` (the API
 * stack's functions). The pool's id comes in the event: no settings. Cognito waits 5 s for a trigger.
 */
export const preTokenGenerationFunction = {
  id: 'preTokenGeneration',
  handler: 'functions/pre-token-generation.ts',
  description: 'Cognito pre token generation: the MFA claim',
  tables: {},
  settings: [],
  timeoutSeconds: 5,
  memoryMb: DEFAULT_MEMORY_MB,
  trigger: { kind: 'userPool', operation: 'preTokenGeneration', calls: ['AdminGetUser'] },
} as const satisfies FunctionDefinition;

export const functionDefinitions: readonly FunctionDefinition[] = [
  ...routeFunctions,
  fallbackFunction,
  authorizerFunction,
  aggregatorFunction,
  savedSearchAlertsFunction,
  reminderFunction,
  cqcSyncFunction,
  // shared/model/async-functions.ts: the functions read at run time by those that start them.
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

/** The Cognito actions a function is granted on the user pool. */
export function cognitoActions(definition: FunctionDefinition): readonly UserPoolAction[] {
  return definition.userPool ?? [];
}

const isWrite = (action: DynamoAction): action is DynamoWriteAction => (DYNAMODB_WRITE_ACTIONS as readonly string[]).includes(action);
const isRead = (action: DynamoAction): action is DynamoReadAction => (DYNAMODB_READ_ACTIONS as readonly string[]).includes(action);
const indexOf = (action: DynamoAction): string | undefined => (action.startsWith('Query:') ? action.slice('Query:'.length) : undefined);

/**
 * What IAM grants a function on one of its tables, from its `dynamodb`: the reads and the writes on the
 * table itself, and the indexes it queries (Query on each of those indexes alone).
 */
export function tableGrants(definition: FunctionDefinition, table: TableId): { reads: DynamoReadAction[]; writes: DynamoWriteAction[]; indexes: string[] } {
  const calls = definition.dynamodb?.[table] ?? [];
  const indexes = calls.flatMap((action) => indexOf(action) ?? []);
  return { reads: calls.filter(isRead), writes: calls.filter(isWrite), indexes };
}

/** The write actions a function is granted on a table (those its `dynamodb` names; none on an RO table). */
export function writeActions(definition: FunctionDefinition, table: TableId): readonly TableWriteAction[] {
  if (definition.tables[table] !== 'RW') return [];
  return tableGrants(definition, table).writes;
}

/**
 * What is wrong with a function's `dynamodb` against its `tables` and the table definitions: a table in
 * one and not the other, a write on an RO table, an RW table never written, an index the table lacks, an
 * action twice, or no action on a table. Empty when the declaration holds (checked at synth and by tests).
 */
export function dynamoDeclarationProblems(definition: FunctionDefinition): string[] {
  const problems: string[] = [];
  const declared = Object.keys(definition.dynamodb ?? {}) as TableId[];
  const bound = Object.keys(definition.tables) as TableId[];
  for (const table of bound.filter((id) => !declared.includes(id))) problems.push(`${definition.id}: ${table} is in tables but not in dynamodb (declare what it calls)`);
  for (const table of declared.filter((id) => !bound.includes(id))) problems.push(`${definition.id}: ${table} is in dynamodb but not in tables`);
  for (const table of declared) {
    const calls = definition.dynamodb?.[table] ?? [];
    const { writes } = tableGrants(definition, table);
    if (calls.length === 0) problems.push(`${definition.id}: no action on ${table}`);
    if (new Set(calls).size !== calls.length) problems.push(`${definition.id}: an action twice on ${table}`);
    if (definition.tables[table] === 'RO' && writes.length > 0) problems.push(`${definition.id}: writes ${writes.join(', ')} on ${table}, which it binds RO`);
    if (definition.tables[table] === 'RW' && writes.length === 0) problems.push(`${definition.id}: binds ${table} RW but declares no write on it`);
    const known: readonly string[] = (tableDefinitions[table]?.indexes ?? []).map((index) => index.indexName);
    for (const action of calls) {
      const index = indexOf(action);
      if (index !== undefined && !known.includes(index)) problems.push(`${definition.id}: ${table} has no index ${index}`);
      if (index === undefined && !isRead(action) && !isWrite(action)) problems.push(`${definition.id}: ${action} on ${table} is not an action it may be granted`);
    }
  }
  return problems;
}

/** The environment variables that carry a function's table names. */
export function tableVariables(definition: FunctionDefinition): Record<string, TableId> {
  return Object.fromEntries(Object.keys(definition.tables).map((id) => [tableDefinitions[id as TableId].envVar, id as TableId]));
}
