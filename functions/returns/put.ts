import { httpRoute } from '#shared/http/route';
import { ifMatchVersion, jsonBody, pathParams } from '#shared/http/request';
import { savedReturnResponse } from '#shared/http/returns-response';
import { metrics } from '#shared/runtime/powertools';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { submitReturn } from '#shared/services/returns/submit';
import { ReturnPath } from '#shared/model/schemas/paths';
import { DailyReturnInput } from '#shared/model/schemas/return';
import { putReturnRoute } from '#shared/model/route-returns';
import { loadWriteAccessFacts } from '#shared/services/auth/facts';
import { serveIdempotently } from '#shared/http/idempotency';

// A provider's membership and the location are read in one round trip (`loadWriteAccessFacts`), and the
// write takes the location as read there (`accessRead`): a PUT is that read and one transaction.
export const handler = httpRoute(putReturnRoute, async ({ event, principal, accessRead }) => {
  const path = pathParams(event, ReturnPath);
  const ifMatch = ifMatchVersion(event);
  const input = jsonBody(event, DailyReturnInput);
  const outcome = await submitReturn({ ...path, ifMatch, submittedBy: principal, now: new Date() }, input, accessRead);
  metrics.addMetric(outcome.created ? 'ReturnSubmitted' : 'ReturnCorrected', MetricUnit.Count, 1);
  if (outcome.stored.warnings.length > 0) metrics.addMetric('ReturnWithWarnings', MetricUnit.Count, 1);
  return savedReturnResponse(outcome);
}, { accessFacts: loadWriteAccessFacts, idempotency: serveIdempotently });
