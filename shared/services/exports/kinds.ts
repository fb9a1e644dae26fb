import type { AreaScope } from '#shared/model/access/area-scope';
import { METRICS, metricsForApi } from '#shared/model/aggregates/metrics';
import { keys } from '#shared/model/keys';
import { flattenReturn, RETURN_COLUMNS } from '#shared/model/returns/bulk';
import type { ReturnItem } from '#shared/model/returns/return-item';
import { areaLevelOf, ENGLAND, type AreaLevel } from '#shared/model/schemas/common';
import type { ExportRequest } from '#shared/model/schemas/exports';
import { listAreas } from '#shared/repositories/areas';
import { returnsOfDay } from '#shared/repositories/returns-by-day';
import { areaDays, areasToReport, daysBetween, type AreaDay, type AreaInfo } from '#shared/services/aggregates/area-days';
import { completenessDay } from '#shared/services/aggregates/completeness-days';

/** One kind of export: its CSV columns, and its rows as CSV cells or as a JSON Lines object. */
export interface ExportKind<Row> {
  header: readonly string[];
  rows(scope: AreaScope, request: ExportRange): AsyncIterable<Row>;
  csv(row: Row): unknown[];
  json(row: Row): unknown;
}

export type ExportRange = Pick<ExportRequest, 'level' | 'area' | 'from' | 'to'>;

const areaRows = async function* (scope: AreaScope, request: ExportRange): AsyncGenerator<AreaDay> {
  yield* areaDays(scope, request, await areasToReport(scope, request.level, request.area));
};

const AREA_COLUMNS = ['level', 'area', 'areaName', 'date', 'locationsExpected'] as const;

export const aggregatesExport: ExportKind<AreaDay> = {
  header: [...AREA_COLUMNS, ...METRICS],
  rows: areaRows,
  csv: (day) => [day.level, day.area, day.areaName ?? '', day.date, day.locationsExpected, ...METRICS.map((metric) => day.metrics[metric] ?? 0)],
  json: (day) => ({ level: day.level, area: day.area, ...(day.areaName ? { areaName: day.areaName } : {}), date: day.date, locationsExpected: day.locationsExpected, ...metricsForApi(day.metrics) }),
};

const COMPLETENESS_COLUMNS = ['level', 'area', 'areaName', 'date', 'locationsExpected', 'locationsReporting', 'locationsReportingOnTime', 'reportingShare', 'onTimeShare'] as const;

export const completenessExport: ExportKind<AreaDay> = {
  header: COMPLETENESS_COLUMNS,
  rows: areaRows,
  csv: (day) => {
    const row = completenessDay(day) as Record<string, unknown>;
    return COMPLETENESS_COLUMNS.map((column) => row[column] ?? '');
  },
  json: completenessDay,
};

/**
 * The byDay prefixes that cover what the caller may see of the area asked for (or of their own areas):
 * the whole day for England, `region#` for a region, `region#authority#` for an authority. A prefix
 * inside another one is dropped, so no return is read twice.
 */
export function returnPrefixes(scope: AreaScope, request: ExportRange, authorities: readonly AreaInfo[]): string[] {
  const codes = request.area !== undefined ? [request.area] : (scope.areas ?? [ENGLAND]);
  const regionOf = new Map(authorities.map((area) => [area.code, area.region]));
  const prefixes = codes.flatMap((code) => {
    const level: AreaLevel | undefined = areaLevelOf(code);
    if (level === 'england') return [''];
    if (level === 'region') return [keys.returnPlacePrefix(code)];
    const region = regionOf.get(code);
    // An authority the areas table does not place has no returns an export could find by place.
    return region ? [keys.returnPlacePrefix(region, code)] : [];
  });
  return [...new Set(prefixes)].filter((prefix, _, all) => !all.some((other) => other !== prefix && prefix.startsWith(other))).sort();
}

export const RETURN_EXPORT_COLUMNS = [
  'locationId',
  'reportDate',
  'name',
  ...RETURN_COLUMNS,
  'localAuthority',
  'region',
  'version',
  'submittedAt',
  'firstSubmittedAt',
  'confirmedFrom',
  'warnings',
] as const;

const confirmedFromOf = (item: ReturnItem) => (item.confirmedFrom ? `${item.confirmedFrom.reportDate} v${item.confirmedFrom.version}` : '');

/** A location's return for a day, as the export gives it: the §5 answers, where it was, which version, and warning codes. */
export const returnsExport: ExportKind<ReturnItem> = {
  header: RETURN_EXPORT_COLUMNS,
  rows: async function* (scope, request) {
    const authorities = request.level === 'localAuthority' || (scope.areas ?? []).some((code) => areaLevelOf(code) === 'localAuthority') ? (await listAreas('localAuthority')).map((area) => ({ code: area.code, ...(area.parent ? { region: area.parent } : {}) })) : [];
    const prefixes = returnPrefixes(scope, request, authorities);
    for (const day of daysBetween(request.from, request.to)) {
      for (const prefix of prefixes) {
        for await (const page of returnsOfDay(day, prefix)) {
          for (const item of page) if (scope.visible({ level: 'localAuthority', area: item.localAuthority, region: item.region })) yield item;
        }
      }
    }
  },
  csv: (item) => [
    ...flattenReturn({ locationId: item.locationId, reportDate: item.reportDate, name: item.locationName ?? '' }, item),
    item.localAuthority,
    item.region,
    item.version,
    item.submittedAt,
    item.firstSubmittedAt ?? '',
    confirmedFromOf(item),
    item.warnings.map((warning) => warning.code).join(' '),
  ],
  json: (item) => {
    const { submittedBy: _by, placeKey: _placeKey, locationType: _type, locationName, warnings, ...stored } = item;
    return { ...stored, name: locationName ?? null, warnings: warnings.map((warning) => warning.code) };
  },
};

export const EXPORT_KINDS_BY_NAME: Record<ExportRequest['kind'], ExportKind<unknown>> = { aggregates: aggregatesExport, completeness: completenessExport, returns: returnsExport };
