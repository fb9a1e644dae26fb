import type { z } from 'zod';
import type { ProblemFieldError } from '#shared/model/schemas/problem';

const TYPE_BASE = 'https://capacity-tracker.example/problems/';

/**
 * An error a caller can act on. Every domain failure is one of these, and the HTTP layer turns it into
 * RFC 9457 problem+json in one place (`toProblemResponse`); anything else is our fault and becomes a 500.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly errors?: ProblemFieldError[];
  readonly headers?: Record<string, string>;

  constructor(options: {
    status: number;
    title: string;
    slug: string;
    detail?: string;
    errors?: ProblemFieldError[];
    headers?: Record<string, string>;
  }) {
    super(options.detail ?? options.title);
    this.name = 'ProblemError';
    this.status = options.status;
    this.title = options.title;
    this.type = TYPE_BASE + options.slug;
    if (options.errors !== undefined) this.errors = options.errors;
    if (options.headers !== undefined) this.headers = options.headers;
  }
}

export const problems = {
  validation: (errors: ProblemFieldError[], detail = 'The request has invalid fields; nothing was written.') =>
    new ProblemError({ status: 400, title: 'Invalid request', slug: 'validation', detail, errors }),
  malformedJson: (detail: string) =>
    new ProblemError({
      status: 400,
      title: 'Malformed JSON',
      slug: 'malformed-json',
      detail,
      errors: [{ path: '', message: detail }],
    }),
  unauthorized: (detail = 'Sign in: send Authorization: Bearer <token>.') =>
    new ProblemError({ status: 401, title: 'Not signed in', slug: 'unauthorized', detail, headers: { 'www-authenticate': 'Bearer' } }),
  forbidden: (detail: string) => new ProblemError({ status: 403, title: 'Not allowed', slug: 'forbidden', detail }),
  notFound: (detail: string) => new ProblemError({ status: 404, title: 'Not found', slug: 'not-found', detail }),
  methodNotAllowed: (allowed: string[]) =>
    new ProblemError({
      status: 405,
      title: 'Method not allowed',
      slug: 'method-not-allowed',
      detail: `This path accepts ${allowed.join(', ')}.`,
      headers: { allow: allowed.join(', ') },
    }),
  conflict: (detail: string) => new ProblemError({ status: 409, title: 'Conflict', slug: 'conflict', detail }),
  /** A write that read what it stores lost a race to another write: nothing was written, and it may be sent again. */
  changedMeanwhile: (detail: string) =>
    new ProblemError({ status: 409, title: 'Changed meanwhile', slug: 'changed-meanwhile', detail, headers: { 'retry-after': '1' } }),
  preconditionFailed: (detail: string) =>
    new ProblemError({ status: 412, title: 'Precondition failed', slug: 'precondition-failed', detail }),
  payloadTooLarge: (limitBytes: number) =>
    new ProblemError({
      status: 413,
      title: 'Payload too large',
      slug: 'payload-too-large',
      detail: `The body must be at most ${limitBytes} bytes.`,
    }),
  /** An answer too big to send as the client asked for it (a response carries at most 6 MB from Lambda). */
  notAcceptable: (detail: string) => new ProblemError({ status: 406, title: 'Not acceptable', slug: 'not-acceptable', detail }),
  /** An export bigger than a response can carry even compressed: the caller asks for less (a shorter range). */
  exportTooLarge: (detail: string) => new ProblemError({ status: 422, title: 'Export too large', slug: 'export-too-large', detail }),
  unsupportedMediaType: (detail: string) =>
    new ProblemError({ status: 415, title: 'Unsupported media type', slug: 'unsupported-media-type', detail }),
  /** The same Idempotency-Key, from the same caller, with a different request (IETF httpapi draft: 422). */
  idempotencyKeyReused: () =>
    new ProblemError({
      status: 422,
      title: 'Idempotency key already used',
      slug: 'idempotency-key-reused',
      detail:
        'This Idempotency-Key was already used for a different request (another body, path, method or If-Match). ' +
        'Send a new key for a new request; nothing was written.',
    }),
  /** A request with the same Idempotency-Key is still being processed (IETF httpapi draft: 409). */
  idempotencyInProgress: () =>
    new ProblemError({
      status: 409,
      title: 'Request in progress',
      slug: 'idempotency-in-progress',
      detail: 'A request with this Idempotency-Key is still being processed. Retry it, with the same key, in a moment.',
      headers: { 'retry-after': '1' },
    }),
  busy: (detail: string) =>
    new ProblemError({ status: 503, title: 'Busy, try again', slug: 'busy', detail, headers: { 'retry-after': '1' } }),
  /** The database could not be reached (down, restarting, or not answering in time). */
  unavailable: () =>
    new ProblemError({
      status: 503,
      title: 'Service unavailable',
      slug: 'unavailable',
      detail:
        'The database could not be reached; try again in a moment. A write may or may not have been saved: ' +
        'retry it with the same Idempotency-Key to get its answer without saving it twice.',
      headers: { 'retry-after': '2' },
    }),
};

/** Dotted path as clients see it: `vacancies.nursing.male`, `categories.0`. */
export function joinPath(segments: readonly PropertyKey[]): string {
  return segments.map(String).join('.');
}

/** One entry per bad field; an unknown key names the key itself so a form can point at it. */
export function fieldErrorsFromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): ProblemFieldError[] {
  return error.issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: joinPath([...base, key]), message: 'is not a known field' }));
    }
    return [{ path: joinPath(base), message: issue.message }];
  });
}

/** Parse or throw a 400 that names every bad field under `prefix` (e.g. `query`, or the body's root). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix: readonly PropertyKey[] = []): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw problems.validation(fieldErrorsFromZod(result.error, prefix));
  return result.data;
}
