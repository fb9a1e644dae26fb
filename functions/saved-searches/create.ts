import { httpRoute } from '#shared/http/route';
import { jsonBody } from '#shared/http/request';
import { json } from '#shared/http/response';
import { SavedSearchRequest } from '#shared/model/schemas/saved-searches';
import { saveSearch } from '#shared/services/saved-searches/manage';
import { createSavedSearchRoute } from '#shared/model/route-saved-searches';

export const handler = httpRoute(createSavedSearchRoute, async ({ event, principal }) => json(201, await saveSearch(principal, jsonBody(event, SavedSearchRequest), new Date())));
