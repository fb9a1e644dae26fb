import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { AreaListQuery } from '#shared/model/schemas/areas';
import { readAreas } from '#shared/services/areas/list';
import { listAreasRoute } from '#shared/model/route-areas';

export const handler = httpRoute(listAreasRoute, async ({ event }) => json(200, await readAreas(queryParams(event, AreaListQuery))));
