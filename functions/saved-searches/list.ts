import { httpRoute } from '#shared/http/route';
import { json } from '#shared/http/response';
import { listSavedSearches } from '#shared/services/saved-searches/manage';

export const handler = httpRoute('listSavedSearches', async ({ principal }) => json(200, await listSavedSearches(principal)));
