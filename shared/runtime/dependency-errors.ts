/**
 * How a failed call to DynamoDB (or another AWS service, or the issuer's key set) reads once the retries
 * are spent: told to slow down, or not answered at all. Neither is the caller's doing, and both are worth
 * a retry.
 */

/** DynamoDB's 'slow down' answers. */
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/**
 * No answer (refused, reset, timed out): DynamoDB Local stopped or restarting, locally; in AWS, a network
 * fault.
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const UNREACHABLE_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'DependencyUnavailable']);

/**
 * A service that did not answer, or answered that it is failing, said in so many words by the code that
 * called it (the issuer's key set, Secrets Manager): `cause` is what was thrown.
 */
export class DependencyUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyUnavailable';
  }
}

export function isThrottled(error: Error): boolean {
  return THROTTLING.has(error.name);
}

/**
 * The error, or one it was caused by: Node's fetch says `TypeError: fetch failed` and puts the socket's
 * ECONNREFUSED in `cause`.
 */
export function isUnreachable(error: Error): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if ((typeof code === 'string' && UNREACHABLE_CODES.has(code)) || UNREACHABLE_NAMES.has(current.name)) return true;
  }
  return false;
}

/**
 * An AWS SDK error that a later try may not repeat: unreachable, throttled, or the service's own fault
 * (a 5xx such as Secrets Manager's InternalServiceError). Access denied, a missing resource and other
 * client faults are configuration, and stay errors.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return isUnreachable(error) || isThrottled(error) || (error as { $fault?: unknown }).$fault === 'server';
}
