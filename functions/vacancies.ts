import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { VacancySearchQuery } from '#shared/model/schemas/vacancies';
import { findVacancies } from '#shared/services/vacancies/search';
import { searchVacanciesRoute } from '#shared/model/route-areas';

export const handler = httpRoute(searchVacanciesRoute, async ({ event, principal }) => json(200, await findVacancies(principal, queryParams(event, VacancySearchQuery), new Date())));
