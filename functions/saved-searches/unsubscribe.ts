import { publicRoute } from '#shared/http/public-route';
import { jsonBody } from '#shared/http/request';
import { json } from '#shared/http/response';
import { UnsubscribeRequest } from '#shared/model/schemas/saved-searches';
import { unsubscribe } from '#shared/services/saved-searches/manage';
import { unsubscribeSavedSearchRoute } from '#shared/model/route-saved-searches';

/** Public: the token in the email's link is the authority. */
export const handler = publicRoute(unsubscribeSavedSearchRoute, async ({ event }) => json(200, await unsubscribe(jsonBody(event, UnsubscribeRequest).token, new Date())));
