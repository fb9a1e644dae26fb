import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ProblemError, problems } from '#shared/model/errors';
import type { Problem } from '#shared/model/schemas/problem';
import { logger } from '#shared/runtime/powertools';
import { isThrottled, isUnreachable } from '#shared/runtime/dependency-errors';

/**
 * Lambda's limit on a synchronous invocation's response (6 MB, headers and JSON envelope included):
 * beyond it the invocation fails and API Gateway answers a bare 500.
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

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

/**
 * What DynamoDB said, when it failed a call: the error itself, or what Powertools wrapped when reading or
 * writing an idempotency record (`wrapped`: that may come after the write it guards, so the answer cannot
 * say that nothing was written).
 */
function dependencyFailure(error: unknown): { cause: Error; wrapped: boolean } | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'IdempotencyPersistenceLayerError') return error.cause instanceof Error ? { cause: error.cause, wrapped: true } : undefined;
  return { cause: error, wrapped: false };
}

const baseHeaders = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** 204: done, nothing to say. */
export function noContent(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 204, headers: {}, body: '' };
}

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
  const failure = dependencyFailure(error);
  if (failure && isThrottled(failure.cause)) {
    logger.warn('throttled after retries', { errorName: failure.cause.name });
    const retry = failure.wrapped ? 'try again in a moment with the same Idempotency-Key.' : 'try again in a moment. Nothing was written.';
    return toProblemResponse(problems.busy(`The service is busy; ${retry}`), instance);
  }
  if (failure && isUnreachable(failure.cause)) {
    logger.warn('database unreachable after retries', { errorName: failure.cause.name, code: String((failure.cause as { code?: unknown }).code ?? '') });
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
