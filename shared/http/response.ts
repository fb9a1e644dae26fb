import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ProblemError, problems } from '../errors';
import type { Problem } from '../schemas/problem';
import { logger } from '../runtime/powertools';

/** DynamoDB's 'slow down' answers, still failing after the SDK's retries: the caller may retry. */
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

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
  if (error instanceof Error && THROTTLING.has(error.name)) {
    logger.warn('throttled after retries', { errorName: error.name });
    return toProblemResponse(problems.busy('The service is busy; try again in a moment. Nothing was written.'), instance);
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
