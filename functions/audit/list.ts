import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { AuditQuery } from '#shared/model/schemas/people';
import { readAudit } from '#shared/services/people/audit';
import { readAuditRoute } from '#shared/model/route-people';

export const handler = httpRoute(readAuditRoute, async ({ event }) => json(200, await readAudit(queryParams(event, AuditQuery), new Date())));
