import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { VacancySearchQuery } from '#shared/model/schemas/vacancies';
import { findVacancies } from '#shared/services/vacancies/search';

export const handler = httpRoute('searchVacancies', async ({ event, principal }) => json(200, await findVacancies(principal, queryParams(event, VacancySearchQuery), new Date())));
