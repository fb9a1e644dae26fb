/**
 * Serving a keyed write once: Powertools idempotency (`makeIdempotent`) with the DynamoDB persistence
 * layer. The HTTP layer (`route.ts`) calls this after authorization, so a caller who may not write gets
 * its 403 and never a stored response. Only the functions whose routes take the key import it (they
 * give `serveIdempotently` to `httpRoute`), and only they are given the idempotency table.
 *
 * - First request with a key: an INPROGRESS record is put (conditional: no live record for the scope),
 *   the route runs, and a 2xx response is stored with the record (COMPLETED, kept 24 h).
 * - A retry with the same scope and fingerprint: the stored response, replayed (status, headers such as
 *   ETag, body), with `Idempotent-Replayed: true`; the route does not run, nothing is written.
 * - Same scope, other fingerprint: Powertools' IdempotencyValidationError → 422. Same scope while the
 *   first is still running: IdempotencyAlreadyInProgressError → 409 with Retry-After (`response.ts`).
 * - The route answering anything but 2xx (a 400, 404, 409, 412 ...): the record is deleted, so a
 *   corrected retry with the same key is processed.
 * - A record whose `expiration` has passed counts as absent: the request is processed anew.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { idempotencyStore } from '#shared/runtime/idempotency';
import { logger, metrics } from '#shared/runtime/powertools';
import { IDEMPOTENCY_EXPIRY_SECONDS, IDEMPOTENCY_KEY_PREFIX, type IdempotencyPayload } from '#shared/http/idempotency-key';

type Response = APIGatewayProxyStructuredResultV2;

/** Marks a replayed response, so a client (and a log reader) can tell it from a fresh one. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** One configuration for every keyed route (the persistence layer takes the first it is given). */
export const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: 'scope',
  payloadValidationJmesPath: 'request',
  throwOnNoIdempotencyKey: true,
  expiresAfterSeconds: IDEMPOTENCY_EXPIRY_SECONDS,
  hashFunction: 'sha256',
  responseHook: (response) => {
    const stored = response as unknown as Response;
    metrics.addMetric('IdempotentReplay', MetricUnit.Count, 1);
    logger.info('replayed a stored response', { statusCode: stored.statusCode });
    return { ...stored, headers: { ...stored.headers, [REPLAYED_HEADER]: 'true' } } as never;
  },
});

/** A response the route gave that is not a success: returned to the caller, never stored. */
class NotStored extends Error {
  constructor(readonly response: Response) {
    super('not a 2xx response');
    this.name = 'NotStored';
  }
}

const isSuccess = (response: Response) => response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300;

/** Made at first use: the store reads its table name then, not when the module loads. */
let serveOnce: ((payload: IdempotencyPayload, serve: () => Promise<Response>) => Promise<Response>) | undefined;
const makeServeOnce = () => makeIdempotent(
  async (_payload: IdempotencyPayload, serve: () => Promise<Response>): Promise<Response> => {
    const response = await serve();
    // Thrown, so Powertools deletes the INPROGRESS record as it does for an error.
    if (!isSuccess(response)) throw new NotStored(response);
    // As DynamoDB will keep it (no undefined members), so the first answer and a replay are the same.
    return JSON.parse(JSON.stringify(response)) as Response;
  },
  { persistenceStore: idempotencyStore(), config: idempotencyConfig, keyPrefix: IDEMPOTENCY_KEY_PREFIX },
);

/**
 * Serve a request that carries an Idempotency-Key: replayed, refused (422/409, thrown for `response.ts`),
 * or served by `serve` and, if it succeeded, stored.
 */
export async function serveIdempotently(payload: IdempotencyPayload, context: Context, serve: () => Promise<Response>): Promise<Response> {
  // An INPROGRESS record outlives a crashed invocation only until the function's deadline.
  idempotencyConfig.registerLambdaContext(context);
  try {
    serveOnce ??= makeServeOnce();
    return await serveOnce(payload, serve);
  } catch (error) {
    if (error instanceof NotStored) return error.response;
    throw error;
  }
}
