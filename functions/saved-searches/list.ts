import { httpRoute } from '#shared/http/route';
import { json } from '#shared/http/response';
import { listSavedSearches } from '#shared/services/saved-searches/manage';
import { listSavedSearchesRoute } from '#shared/model/route-saved-searches';

export const handler = httpRoute(listSavedSearchesRoute, async ({ principal }) => json(200, await listSavedSearches(principal)));
