import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ProblemError, problems } from '../errors';
import type { Problem } from '../schemas/problem';
import { logger } from '../runtime/powertools';
import { isThrottled, isUnreachable } from '../runtime/dependency-errors';


/**
 * Powertools idempotency's errors that a caller's request causes, by name (the package names each class;
 * matching names keeps the package out of functions that never use it). A persistence failure is not
 * here: that is ours (a 500, or a 503 when DynamoDB throttled).
 */
const IDEMPOTENCY_PROBLEMS = new Map<string, () => ProblemError>([
  ['IdempotencyValidationError', problems.idempotencyKeyReused],
  ['IdempotencyAlreadyInProgressError', problems.idempotencyInProgress],
  // The record changed under us more than Powertools' retries could follow: another request with the key.
  ['IdempotencyInconsistentStateError', problems.idempotencyInProgress],
]);


const baseHeaders = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...baseHeaders, ...headers },
    body: JSON.stringify(body),
  };
}

/** The one place errors become HTTP: a ProblemError is the caller's, anything else is ours and a 500. */
export function toProblemResponse(error: unknown, instance?: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof ProblemError) {
    const problem: Problem = {
      type: error.type,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(instance ? { instance } : {}),
      ...(error.errors ? { errors: error.errors } : {}),
    };
    return {
      statusCode: error.status,
      headers: { 'content-type': 'application/problem+json', ...baseHeaders, ...error.headers },
      body: JSON.stringify(problem),
    };
  }
  const idempotencyProblem = error instanceof Error ? IDEMPOTENCY_PROBLEMS.get(error.name) : undefined;
  if (idempotencyProblem) return toProblemResponse(idempotencyProblem(), instance);
  if (error instanceof Error && isThrottled(error)) {
    logger.warn('throttled after retries', { errorName: error.name });
    return toProblemResponse(problems.busy('The service is busy; try again in a moment. Nothing was written.'), instance);
  }
  // Powertools wraps what DynamoDB said when reading or writing an idempotency record. That may come after
  // the write it guards (storing the response), so this answer cannot say that nothing was written.
  if (error instanceof Error && error.name === 'IdempotencyPersistenceLayerError' && error.cause instanceof Error && isThrottled(error.cause)) {
    logger.warn('throttled after retries', { errorName: error.cause.name });
    return toProblemResponse(problems.busy('The service is busy; try again in a moment with the same Idempotency-Key.'), instance);
  }
  const unreachable = error instanceof Error && (isUnreachable(error) || (error.name === 'IdempotencyPersistenceLayerError' && error.cause instanceof Error && isUnreachable(error.cause)));
  if (unreachable) {
    logger.warn('database unreachable after retries', { errorName: (error as Error).name, code: String((error as { code?: unknown }).code ?? (error as Error & { cause?: { code?: unknown } }).cause?.code ?? '') });
    return toProblemResponse(problems.unavailable(), instance);
  }
  logger.error('unhandled error', { error: error as Error });
  const problem: Problem = {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side; nothing you did caused it. Try again shortly.',
    ...(instance ? { instance } : {}),
  };
  return {
    statusCode: 500,
    headers: { 'content-type': 'application/problem+json', ...baseHeaders },
    body: JSON.stringify(problem),
  };
}
