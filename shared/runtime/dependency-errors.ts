/**
 * How a failed call to DynamoDB (or another AWS service) reads once the SDK's retries are spent: told to
 * slow down, or not answered at all. Neither is the caller's doing, and both are worth a retry.
 */

/** DynamoDB's 'slow down' answers. */
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/**
 * No answer (refused, reset, timed out): DynamoDB Local stopped or restarting, locally; in AWS, a network
 * fault.
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const UNREACHABLE_NAMES = new Set(['TimeoutError', 'RequestTimeout']);

export function isThrottled(error: Error): boolean {
  return THROTTLING.has(error.name);
}

export function isUnreachable(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || UNREACHABLE_NAMES.has(error.name);
}
