import { keepVisible, scopeVacancySearch } from '#shared/model/access/area-scope';
import { httpRoute } from '#shared/http/route';
import { queryParams } from '#shared/http/request';
import { json } from '#shared/http/response';
import { searchVacancies } from '#shared/repositories/vacancies';
import { toInstant } from '#shared/model/returns/report-date';
import { areaLevelOf } from '#shared/model/schemas/common';
import { VacancySearchQuery } from '#shared/model/schemas/vacancies';

export const handler = httpRoute('searchVacancies', async ({ event, principal }) => {
  const query = queryParams(event, VacancySearchQuery);
  const scope = scopeVacancySearch(principal, query.area);
  const page = await searchVacancies({
    area: scope.area,
    category: query.category,
    ...(query.sex ? { sex: query.sex } : {}),
    admittingOnly: query.admitting === 'true',
    updatedSince: toInstant(new Date(Date.now() - query.updatedWithinHours * 3_600_000)),
    limit: query.limit,
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
  });
  const level = areaLevelOf(scope.area) ?? 'england';
  const visible = keepVisible({ areas: [scope.area], visible: scope.visible }, page.items.map((entry) => ({ ...entry, level, area: scope.area })), query.area);
  return json(200, {
    items: visible.map((entry) => ({
      locationId: entry.locationId,
      name: entry.name,
      type: entry.type,
      localAuthority: entry.localAuthority,
      region: entry.region,
      lastUpdated: entry.lastUpdated,
      reportDate: entry.reportDate,
      matching: { category: entry.category, total: entry.total, forMale: entry.forMale, forFemale: entry.forFemale },
      vacancies: entry.vacancies,
      admissions: { status: entry.admissionsStatus },
      outbreakActive: entry.outbreakActive,
    })),
    nextToken: page.nextToken,
  });
});
