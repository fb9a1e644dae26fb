import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { httpRoute } from '#shared/http/route';
import { ifMatchVersion, jsonBody, pathParams } from '#shared/http/request';
import { savedReturnResponse } from '#shared/http/returns-response';
import { metrics } from '#shared/runtime/powertools';
import { confirmReturn } from '#shared/services/returns/submit';
import { ReturnPath } from '#shared/model/schemas/paths';
import { ConfirmInput } from '#shared/model/schemas/return';
import { confirmReturnRoute } from '#shared/model/route-returns';
import { loadWriteAccessFacts } from '#shared/services/auth/facts';
import { serveIdempotently } from '#shared/http/idempotency';

// As a PUT: a provider's membership and the location in one round trip, the location handed to the write.
export const handler = httpRoute(confirmReturnRoute, async ({ event, principal, accessRead }) => {
  const path = pathParams(event, ReturnPath);
  const ifMatch = ifMatchVersion(event);
  const body = jsonBody(event, ConfirmInput, { optional: true });
  const outcome = await confirmReturn({ ...path, ifMatch, ...(body?.repeats ? { repeats: body.repeats } : {}), submittedBy: principal, now: new Date() }, accessRead);
  metrics.addMetric('ReturnConfirmedUnchanged', MetricUnit.Count, 1);
  return savedReturnResponse(outcome);
}, { accessFacts: loadWriteAccessFacts, idempotency: serveIdempotently });
