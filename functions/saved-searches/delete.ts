import { httpRoute } from '#shared/http/route';
import { pathParams } from '#shared/http/request';
import { noContent } from '#shared/http/response';
import { SavedSearchPath } from '#shared/model/schemas/saved-searches';
import { removeSavedSearch } from '#shared/services/saved-searches/manage';
import { deleteSavedSearchRoute } from '#shared/model/route-saved-searches';

export const handler = httpRoute(deleteSavedSearchRoute, async ({ event, principal }) => {
  await removeSavedSearch(principal, pathParams(event, SavedSearchPath).searchId);
  return noContent();
});
