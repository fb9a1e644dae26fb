import { listLocationsWithLatestReturn } from '#shared/repositories/locations';
import { VACANCY_CATEGORIES } from '#shared/model/schemas/location';
import { PPE_ITEMS, type StoredReturn } from '#shared/model/schemas/return';

const LOCATION_COLUMNS = ['locationId', 'providerId', 'name', 'type', 'localAuthority', 'region', 'registeredBeds', 'active', 'lastUpdated'] as const;
const SEXES = ['male', 'female', 'any'] as const;

/** One column per answer of the return, flattened with dots, then the flags a reader judges it by. */
export const LOCATION_EXPORT_HEADER = [
  ...LOCATION_COLUMNS,
  'reportDate',
  'version',
  'submittedAt',
  'schemaVersion',
  ...VACANCY_CATEGORIES.flatMap((category) => SEXES.map((sex) => `vacancies.${category}.${sex}`)),
  'beds.occupied',
  'beds.vacantReserved',
  'beds.vacantNotAdmittable',
  'beds.notAdmittableReason',
  'admissions.status',
  'admissions.reason',
  'outbreak.active',
  'outbreak.residentsConfirmed',
  'outbreak.residentsSuspected',
  'outbreak.staffConfirmed',
  'workforce.staffEmployed',
  'workforce.staffAbsent',
  'workforce.staffAbsentCovid',
  'workforce.agencyStaffShifts',
  ...PPE_ITEMS.map((item) => `ppe.${item}`),
  'visiting',
  'warnings',
];

function returnColumns(latest: StoredReturn | undefined): unknown[] {
  if (!latest) return LOCATION_EXPORT_HEADER.slice(LOCATION_COLUMNS.length).map(() => '');
  return [
    latest.reportDate,
    latest.version,
    latest.submittedAt,
    latest.schemaVersion,
    // A category the location does not report is blank, not 0: "no such beds" is not "no vacancy".
    ...VACANCY_CATEGORIES.flatMap((category) => SEXES.map((sex) => latest.vacancies[category]?.[sex] ?? '')),
    latest.beds.occupied,
    latest.beds.vacantReserved,
    latest.beds.vacantNotAdmittable,
    latest.beds.notAdmittableReason ?? '',
    latest.admissions.status,
    latest.admissions.reason ?? '',
    latest.outbreak.active,
    latest.outbreak.residentsConfirmed,
    latest.outbreak.residentsSuspected,
    latest.outbreak.staffConfirmed,
    latest.workforce.staffEmployed,
    latest.workforce.staffAbsent,
    latest.workforce.staffAbsentCovid,
    latest.workforce.agencyStaffShifts,
    ...PPE_ITEMS.map((item) => latest.ppe[item]),
    latest.visiting,
    latest.warnings.map((warning) => warning.code).join(';'),
  ];
}

/**
 * Every location with its latest return, one row each, read page by page: the national listing index's
 * keys, then the page's items (each keeps a copy of its latest return) by BatchGetItem; no read per
 * location, no scan.
 */
export async function locationExportRows(): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await listLocationsWithLatestReturn(nextToken);
    for (const { location, latest } of page.items) rows.push([...LOCATION_COLUMNS.map((column) => location[column] ?? ''), ...returnColumns(latest)]);
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  return rows;
}
