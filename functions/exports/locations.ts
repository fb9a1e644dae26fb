import { csvResponse, toCsv } from '#shared/http/csv';
import { httpRoute } from '#shared/http/route';
import { LOCATION_EXPORT_HEADER, locationExportRows } from '#shared/services/locations/export';
import { londonDay } from '#shared/model/returns/report-date';
import { exportLocationsRoute } from '#shared/model/route-exports';

export const handler = httpRoute(exportLocationsRoute, async ({ event }) => {
  const csv = toCsv(LOCATION_EXPORT_HEADER, await locationExportRows());
  return csvResponse(`locations-${londonDay(new Date())}.csv`, csv, event.headers['accept-encoding']);
});
