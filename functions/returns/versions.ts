import { problems } from '#shared/model/errors';
import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { getLocation } from '#shared/repositories/locations';
import { getDayVersions, getEarlierVersion } from '#shared/repositories/return-versions';
import { versionHistory } from '#shared/model/returns/changes';
import { ReturnPath } from '#shared/model/schemas/paths';
import type { ReturnVersionList } from '#shared/model/schemas/return-versions';
import { listReturnVersionsRoute } from '#shared/model/route-returns';
import { loadAccessFacts } from '#shared/services/auth/facts';

/**
 * Every stored version of a location's day, newest first, each with what it changed. Any real calendar
 * day may be read (history is not held to the 7-day window of writes); a day without a return is an
 * empty list, as an empty range of `GET .../returns` is.
 */
export const handler = httpRoute(listReturnVersionsRoute, async ({ event }) => {
  const { locationId, reportDate } = pathParams(event, ReturnPath);
  const [location, versions] = await Promise.all([getLocation(locationId), getDayVersions(locationId, reportDate)]);
  if (!location) throw problems.notFound(`No location ${locationId} in the directory.`);
  const first = versions.at(-1);
  const baseline = first ? await getEarlierVersion(locationId, reportDate, first.submittedAt) : undefined;
  const body: ReturnVersionList = { items: versionHistory(versions, baseline) };
  return json(200, body);
}, { accessFacts: loadAccessFacts });
