/**
 * The functions a route starts in the background (InvocationType Event), and the setting that carries
 * each one's name to the functions that invoke it. Apart from `shared/model/functions.ts` (which lists
 * them with every other function) because the code that invokes or schedules one reads them at run time
 * (`shared/runtime/lambda.ts`, `shared/services/exports/jobs.ts`): importing the whole list would put
 * every route's definition and schemas into those functions' bundles.
 */
import type { AsyncFunctionId } from '#shared/model/route-definition';
import type { FunctionDefinition } from '#shared/model/function-definition';
import type { SettingName } from '#shared/model/settings';

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
  dynamodb: {
    exports: ['UpdateItem'],
    returns: ['Query:byDay'],
    aggregates: ['Query', 'Query:byLevel'],
    areas: ['Query'],
    locations: ['Query:activeByCountry', 'Query:activeByLocalAuthority', 'Query:activeByRegion'],
  },
  settings: ['EXPORTS_BUCKET'],
  exportsBucket: 'write',
  timeoutSeconds: 15 * 60,
  // A full vCPU for gzip and the row formatting; the rows themselves stream (peak RSS is in the bench).
  memoryMb: 1769,
  reservedConcurrency: 4,
  trigger: { kind: 'async', retryAttempts: 2, maximumEventAgeSeconds: 6 * 3600 },
} as const satisfies FunctionDefinition;

/** The setting that carries the name of a function others invoke asynchronously. */
export const ASYNC_FUNCTION_SETTINGS = { exportWorker: 'EXPORT_WORKER_FUNCTION' } as const satisfies Record<AsyncFunctionId, SettingName>;
