/**
 * What a route of the route table is (`RouteDefinition`) and the pieces the definitions share: the DynamoDB
 * actions a function may be granted, and the problem responses many routes answer with. The definitions
 * themselves are in `route-<area>.ts`, one constant per route, and `routes.ts` lists them: a function's
 * bundle imports its own route's definition (and the schemas it names), never the whole table.
 */
import type { z } from 'zod';
import type { Role } from '#shared/model/schemas/common';
import type { SettingName } from '#shared/model/settings';
import type { TableId } from '#shared/model/tables';

export type TableAccess = 'RO' | 'RW';
export type BucketAccess = 'read' | 'write';

/** The DynamoDB actions IAM checks a read against (a transaction's ConditionCheck parts: ConditionCheckItem). */
export const DYNAMODB_READ_ACTIONS = ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem'] as const;
/** ... and a write (a transaction's Put, Update and Delete parts are checked as PutItem, UpdateItem, DeleteItem). */
export const DYNAMODB_WRITE_ACTIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;
export type DynamoReadAction = (typeof DYNAMODB_READ_ACTIONS)[number];
export type DynamoWriteAction = (typeof DYNAMODB_WRITE_ACTIONS)[number];
/** A Query of one of the table's indexes (`Query:byDay`), granted on that index alone. */
export type DynamoIndexQuery = `Query:${string}`;
export type DynamoAction = DynamoReadAction | DynamoWriteAction | DynamoIndexQuery;
/**
 * The DynamoDB actions a function calls, table by table: exactly what IAM grants it (nothing else, never
 * Scan), so every table of `tables` is here with what its code asks of it, an RO table with reads alone.
 */
export type DynamoCalls = Partial<Record<TableId, readonly DynamoAction[]>>;

/** What Powertools idempotency's persistence layer calls on the idempotency table (the routes taking Idempotency-Key). */
export const IDEMPOTENCY_CALLS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] as const satisfies readonly DynamoAction[];
/** The functions a route may start in the background (`shared/model/functions.ts`). */
export type AsyncFunctionId = 'exportWorker';

/** What the users routes ask of Cognito. */
export type UserPoolAction = 'AdminCreateUser' | 'AdminAddUserToGroup' | 'AdminRemoveUserFromGroup' | 'AdminUpdateUserAttributes' | 'AdminDisableUser' | 'AdminEnableUser' | 'AdminUserGlobalSignOut';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  id: string;
  method: HttpMethod;
  /** API Gateway route path, `{name}` for a path parameter. */
  path: string;
  /** Entry file of the Lambda, relative to the repository root; it exports `handler`. */
  handler: string;
  /** `public` routes carry no token; the rest need one of these roles (and the membership/area rule). */
  access: 'public' | readonly Role[];
  /**
   * What the route acts on, for the membership/area rule: `location` routes name one location in the
   * path (providers must be members, commissioners must cover its area); `listing` routes are scoped to
   * what the caller may see; `area` routes read area figures, scoped to the caller's areas by
   * `scopeAreaRequest`; `none` needs no more than the role.
   */
  scope: 'none' | 'location' | 'listing' | 'area';
  /**
   * A provider must be one of the location's managers, not just a member: checked with the other access
   * rules on a `location` route, by the service on a route that finds its location (a registration's).
   */
  managers?: true;
  /** The Cognito user pool actions it calls (in AWS; the local stack has no pool): granted on the pool, and no more. */
  userPool?: readonly UserPoolAction[];
  /** May an update link from a reminder email call it (for its own location only)? */
  updateLink?: boolean;
  /** Settings it reads besides its tables (`shared/model/settings.ts`): the unsubscribe route reads the link key. */
  settings?: readonly SettingName[];
  /** The tables the function touches and how: the CDK app tells it their names (and RO never writes). */
  tables: Partial<Record<TableId, TableAccess>>;
  /** The DynamoDB actions its code calls on each of those tables: what IAM grants it, and no more. */
  dynamodb: DynamoCalls;
  /** The exports bucket: `read` presigns links to its objects (s3:GetObject), `write` puts them. */
  exportsBucket?: BucketAccess;
  /** Functions it invokes asynchronously (lambda:InvokeFunction on them, and their names as settings). */
  invokes?: readonly AsyncFunctionId[];
  summary: string;
  /**
   * `idempotencyKey`: the route takes an optional `Idempotency-Key` header (a retry with the same key is
   * answered with the stored response and writes nothing); such a route binds the idempotency table RW.
   */
  request?: {
    body?: z.ZodType;
    /** The body may also be text/csv with these columns (a header row naming them). */
    csvColumns?: readonly string[];
    query?: z.ZodType;
    ifMatch?: boolean;
    idempotencyKey?: boolean;
    /** The body limit when not 64 KiB. */
    maxBodyBytes?: number;
  };
  responses: Record<number, { description: string; schema?: z.ZodType; mediaType?: 'text/csv' }>;
}

/** What a route's definition says besides its id, method and path (those are `ENDPOINTS`'). */
export type RouteBody = Omit<RouteDefinition, 'id' | 'method' | 'path'>;

/** The problems most routes can answer with (each route says which). */
export const problems = {
  400: { description: 'invalid input: problem+json with errors[].path' },
  401: { description: 'no valid token' },
  403: { description: 'not allowed for this caller' },
  404: { description: 'no such location' },
};

/** A CSV export bigger than a Lambda response can carry: uncompressed (ask for gzip), or even compressed. */
export const exportTooLarge = {
  406: { description: 'too big to send uncompressed: ask with Accept-Encoding: gzip' },
  422: { description: 'too big even compressed: ask for a shorter range' },
};

/** What a read of area figures can answer besides its page: a bad query, no token, not allowed. */
export const readProblems = { 400: problems[400], 401: problems[401], 403: problems[403] };

/** What a route taking `Idempotency-Key` can answer besides its own responses (IETF httpapi draft). */
export const IDEMPOTENCY_IN_PROGRESS = 'a request with this Idempotency-Key is still being processed: retry after Retry-After seconds';
export const idempotencyProblems = {
  422: { description: 'this Idempotency-Key was already used for a different request (body, path, method or If-Match); nothing was written' },
} as const;
