import { addDays, londonDay } from '#shared/model/returns/report-date';
import { problems } from '#shared/model/errors';
import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { areaAggregatesRequest, queryAggregates, type AggregateItem } from '#shared/repositories/aggregates';
import { getLocation } from '#shared/repositories/locations';
import { LocationPath } from '#shared/model/schemas/paths';
import { getLocationAreaRoute } from '#shared/model/route-locations';
import { loadAccessFacts } from '#shared/services/auth/facts';

function summary(date: string, item: AggregateItem | undefined) {
  const occupied = item?.bedsOccupied ?? 0;
  const accounted = occupied + (item?.['vacancies.total'] ?? 0) + (item?.bedsVacantReserved ?? 0) + (item?.bedsVacantNotAdmittable ?? 0);
  return {
    date,
    locationsExpected: item?.locationsExpected ?? 0,
    locationsReporting: item?.locationsReporting ?? 0,
    vacancies: item?.['vacancies.total'] ?? 0,
    bedsOccupied: occupied,
    occupancy: accounted > 0 ? occupied / accounted : null,
  };
}

/** A provider's area at a glance, beside its own figures on the form: two aggregate items, nothing more. */
export const handler = httpRoute(getLocationAreaRoute, async ({ event }) => {
  const { locationId } = pathParams(event, LocationPath);
  const location = await getLocation(locationId);
  if (!location) throw problems.notFound(`No location ${locationId} in the directory.`);
  const today = londonDay(new Date());
  const yesterday = addDays(today, -1);
  const page = await queryAggregates(areaAggregatesRequest({ level: 'localAuthority', area: location.localAuthority }, yesterday, today, 2));
  const on = (date: string) => page.items.find((item) => item.date === date);
  return json(200, { locationId, localAuthority: location.localAuthority, today: summary(today, on(today)), yesterday: summary(yesterday, on(yesterday)) });
}, { accessFacts: loadAccessFacts });
