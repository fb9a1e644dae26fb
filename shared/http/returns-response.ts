import type { SaveOutcome } from '#shared/services/returns/submit';
import { json } from '#shared/http/response';

/** 201 for the day's first return, 200 for a correction; the ETag is the version If-Match takes. */
export function savedReturnResponse({ created, stored }: SaveOutcome) {
  return json(created ? 201 : 200, stored, {
    etag: `"${stored.version}"`,
    ...(created ? { location: `/v1/locations/${stored.locationId}/returns/${stored.reportDate}` } : {}),
  });
}
