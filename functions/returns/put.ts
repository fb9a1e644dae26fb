import { httpRoute } from '#shared/http/route';
import { ifMatchVersion, jsonBody, pathParams } from '#shared/http/request';
import { savedReturnResponse } from '#shared/http/returns-response';
import { metrics } from '#shared/runtime/powertools';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { submitReturn } from '#shared/services/returns/submit';
import { ReturnPath } from '#shared/model/schemas/paths';
import { DailyReturnInput } from '#shared/model/schemas/return';
import { putReturnRoute } from '#shared/model/route-returns';
import { loadAccessFacts } from '#shared/services/auth/facts';
import { serveIdempotently } from '#shared/http/idempotency';

export const handler = httpRoute(putReturnRoute, async ({ event, principal }) => {
  const path = pathParams(event, ReturnPath);
  const ifMatch = ifMatchVersion(event);
  const input = jsonBody(event, DailyReturnInput);
  const outcome = await submitReturn({ ...path, ifMatch, submittedBy: principal, now: new Date() }, input);
  metrics.addMetric(outcome.created ? 'ReturnSubmitted' : 'ReturnCorrected', MetricUnit.Count, 1);
  if (outcome.stored.warnings.length > 0) metrics.addMetric('ReturnWithWarnings', MetricUnit.Count, 1);
  return savedReturnResponse(outcome);
}, { accessFacts: loadAccessFacts, idempotency: serveIdempotently });
