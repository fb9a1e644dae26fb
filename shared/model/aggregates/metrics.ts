import { CARE_HOME_CATEGORIES, INPATIENT_CATEGORY } from '#shared/model/schemas/location';
import { PPE_ITEMS, type DailyReturnInput } from '#shared/model/schemas/return';
import { totalVacancies } from '#shared/model/returns/warnings';
import { addDays, londonStartOfDay, toInstant } from '#shared/model/returns/report-date';

/** Fewer days of any PPE item than this counts a location as low on PPE (DESIGN §7). */
export const LOW_PPE_DAYS = 7;

const VACANCY_CATEGORIES = [...CARE_HOME_CATEGORIES, INPATIENT_CATEGORY] as const;

/**
 * Every figure an aggregate sums, as flat names: the order here is the order of the CSV columns. Each is
 * a sum over the returns of the area and day, so a return's part in it can be added and taken away.
 */
export const METRICS = [
  'locationsReporting',
  'vacancies.total',
  ...VACANCY_CATEGORIES.map((category) => `vacancies.${category}` as const),
  'bedsOccupied',
  'bedsVacantReserved',
  'bedsVacantNotAdmittable',
  'locationsClosedToAdmissions',
  'locationsInOutbreak',
  'residentsConfirmed',
  'staffEmployed',
  'staffAbsent',
  'staffAbsentCovid',
  'locationsWithLowPpe',
  'returnsWithWarnings',
  // Last, so the aggregates CSV's earlier columns keep their places.
  'locationsReportingOnTime',
] as const;
export type Metric = (typeof METRICS)[number];
export type Contribution = Record<Metric, number>;

export function zeroContribution(): Contribution {
  return Object.fromEntries(METRICS.map((metric) => [metric, 0])) as Contribution;
}

/** What one stored return adds to the aggregates of its local authority, region and England for its day. */
export function contributionOf(stored: DailyReturnInput & { warnings: readonly unknown[]; reportDate?: string; submittedAt?: string; firstSubmittedAt?: string }): Contribution {
  const contribution = zeroContribution();
  contribution.locationsReporting = 1;
  const { reportDate, submittedAt, firstSubmittedAt } = stored;
  contribution.locationsReportingOnTime = reportDate && submittedAt && reportedOnTime({ reportDate, submittedAt, ...(firstSubmittedAt ? { firstSubmittedAt } : {}) }) ? 1 : 0;
  contribution['vacancies.total'] = totalVacancies(stored);
  for (const category of VACANCY_CATEGORIES) {
    const split = stored.vacancies[category];
    contribution[`vacancies.${category}`] = split ? split.male + split.female + split.any : 0;
  }
  contribution.bedsOccupied = stored.beds.occupied;
  contribution.bedsVacantReserved = stored.beds.vacantReserved;
  contribution.bedsVacantNotAdmittable = stored.beds.vacantNotAdmittable;
  contribution.locationsClosedToAdmissions = stored.admissions.status === 'closed' ? 1 : 0;
  contribution.locationsInOutbreak = stored.outbreak.active ? 1 : 0;
  contribution.residentsConfirmed = stored.outbreak.residentsConfirmed;
  contribution.staffEmployed = stored.workforce.staffEmployed;
  contribution.staffAbsent = stored.workforce.staffAbsent;
  contribution.staffAbsentCovid = stored.workforce.staffAbsentCovid;
  contribution.locationsWithLowPpe = PPE_ITEMS.some((item) => stored.ppe[item] < LOW_PPE_DAYS) ? 1 : 0;
  contribution.returnsWithWarnings = stored.warnings.length > 0 ? 1 : 0;
  return contribution;
}

/** A day's figures count as on time when first stored within 24 hours of the day's end (London midnight). */
export function reportingDeadline(reportDate: string): string {
  return toInstant(new Date(londonStartOfDay(addDays(reportDate, 1)).getTime() + 24 * 3_600_000));
}

export function reportedOnTime(stored: { reportDate: string; submittedAt: string; firstSubmittedAt?: string }): boolean {
  return (stored.firstSubmittedAt ?? stored.submittedAt) <= reportingDeadline(stored.reportDate);
}

export function difference(next: Contribution, previous: Contribution): Contribution {
  return Object.fromEntries(METRICS.map((metric) => [metric, next[metric] - previous[metric]])) as Contribution;
}

export function sum(contributions: readonly Contribution[]): Contribution {
  const total = zeroContribution();
  for (const contribution of contributions) for (const metric of METRICS) total[metric] += contribution[metric];
  return total;
}

export function isZero(contribution: Contribution): boolean {
  return METRICS.every((metric) => contribution[metric] === 0);
}

/** The API shape of DESIGN §6: vacancies nested, everything else flat. */
export function metricsForApi(contribution: Partial<Contribution>) {
  const value = (metric: Metric) => contribution[metric] ?? 0;
  return {
    locationsReporting: value('locationsReporting'),
    vacancies: {
      total: value('vacancies.total'),
      ...Object.fromEntries(VACANCY_CATEGORIES.map((category) => [category, value(`vacancies.${category}`)])),
    } as Record<'total' | (typeof VACANCY_CATEGORIES)[number], number>,
    bedsOccupied: value('bedsOccupied'),
    bedsVacantReserved: value('bedsVacantReserved'),
    bedsVacantNotAdmittable: value('bedsVacantNotAdmittable'),
    locationsClosedToAdmissions: value('locationsClosedToAdmissions'),
    locationsInOutbreak: value('locationsInOutbreak'),
    residentsConfirmed: value('residentsConfirmed'),
    staffEmployed: value('staffEmployed'),
    staffAbsent: value('staffAbsent'),
    staffAbsentCovid: value('staffAbsentCovid'),
    locationsWithLowPpe: value('locationsWithLowPpe'),
    returnsWithWarnings: value('returnsWithWarnings'),
    locationsReportingOnTime: value('locationsReportingOnTime'),
  };
}
