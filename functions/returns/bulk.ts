import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { httpRoute, type RouteResult } from '#shared/http/route';
import { bodyBytes, jsonBody, mediaTypeOf } from '#shared/http/request';
import { json, toProblemResponse } from '#shared/http/response';
import { problems } from '#shared/model/errors';
import { parseBulkCsv, parseBulkJson, rowPath, type CandidateRow } from '#shared/model/returns/bulk';
import { BULK_MAX_BODY_BYTES } from '#shared/model/schemas/bulk';
import { logger, metrics } from '#shared/runtime/powertools';
import { checkUpload, writeUpload, type UploadOutcome } from '#shared/services/returns/bulk';
import { bulkReturnsRoute } from '#shared/model/route-returns';
import { serveIdempotently } from '#shared/http/idempotency';

const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * The upload's rows: `text/csv` (UTF-8) or JSON (`application/json`, a `+json` type, or no Content-Type,
 * as every JSON route takes it). An empty body is an upload of no rows.
 */
function readUpload(event: APIGatewayProxyEventV2, maxBytes: number): CandidateRow[] {
  const bytes = bodyBytes(event, maxBytes);
  if (bytes.byteLength === 0) return [];
  const type = mediaTypeOf(event);
  if (type === 'text/csv') {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(event.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && !UTF8_CHARSETS.has(charset)) throw problems.unsupportedMediaType(`Send the CSV as UTF-8 (charset=utf-8), not ${charset}.`);
    return parseBulkCsv(bytes);
  }
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw problems.unsupportedMediaType(`Send the rows as text/csv (the template's columns) or application/json, not ${type}.`);
  }
  return parseBulkJson(jsonBody(event, z.unknown(), { maxBytes }));
}

/**
 * An upload that stopped part-way (a write failed, or time ran short): the first failure's status and
 * problem, naming the failed rows, with `written` (as the 200 would list them) and `notWritten`. Not a
 * 2xx, so an Idempotency-Key is not spent: the same upload sent again with it is processed again.
 */
function stoppedResponse(outcome: Extract<UploadOutcome, { kind: 'stopped' }>, instance: string): RouteResult {
  const answers = outcome.failures.map(({ row, error }) => ({ row, response: toProblemResponse(error, instance) }));
  const detailOf = (response: RouteResult) => String((JSON.parse(String(response.body)) as { detail?: unknown }).detail ?? '');
  const first = answers[0]!;
  const problem = JSON.parse(String(first.response.body)) as Record<string, unknown>;
  const body = {
    ...problem,
    detail:
      `The upload stopped at ${rowPath(first.row)}: ${detailOf(first.response)} ` +
      `${outcome.written.length} rows were written (listed in written) and ${outcome.notWritten.length} were not (listed in notWritten): ` +
      'send those again. Sending the whole upload again writes each row again (a new version with the same figures).',
    errors: answers.map(({ row, response }) => ({ path: rowPath(row), message: detailOf(response) })),
    written: outcome.written,
    notWritten: outcome.notWritten,
  };
  return { ...first.response, body: JSON.stringify(body) };
}

export const handler = httpRoute(bulkReturnsRoute, async ({ event, context, route, principal }) => {
  const now = new Date();
  const candidates = readUpload(event, route.request?.maxBodyBytes ?? BULK_MAX_BODY_BYTES);
  const rows = await checkUpload(candidates, principal, now);
  const outcome = await writeUpload(rows, principal, now, { remainingMs: () => context.getRemainingTimeInMillis() });
  const written = outcome.kind === 'complete' ? outcome.items : outcome.written;
  const count = (test: (item: (typeof written)[number]) => boolean) => written.filter(test).length;
  metrics.addMetric('BulkUpload', MetricUnit.Count, 1);
  metrics.addMetric('ReturnSubmitted', MetricUnit.Count, count((item) => item.status === 201));
  metrics.addMetric('ReturnCorrected', MetricUnit.Count, count((item) => item.status === 200));
  metrics.addMetric('ReturnWithWarnings', MetricUnit.Count, count((item) => item.warnings !== undefined));
  logger.info('bulk upload', { rows: rows.length, written: count((item) => item.status !== 204), skipped: count((item) => item.status === 204), complete: outcome.kind === 'complete' });
  if (outcome.kind === 'complete') return json(200, { items: outcome.items });
  return stoppedResponse(outcome, event.rawPath);
}, { idempotency: serveIdempotently });
