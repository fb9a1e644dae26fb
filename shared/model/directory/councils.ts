/**
 * The councils with adult social care responsibility (DESIGN §4): the local-authority level of every
 * aggregate. ONS's April 2020 lookups give the districts and their counties; these are the councils made
 * since, which the CQC register names and the 2020 lookups do not know (or know under an old code), and
 * the regions of the councils that ONS's 2018 district-to-region lookup predates.
 */
export interface CouncilSince2020 {
  code: string;
  name: string;
  region: string;
  /** What it replaced: a whole county (every district of it), or districts by name where a county split in two. */
  replaces: { county: string } | { districts: readonly string[] };
}

export const COUNCILS_SINCE_2020: readonly CouncilSince2020[] = [
  { code: 'E06000061', name: 'North Northamptonshire', region: 'E12000004', replaces: { districts: ['Corby', 'East Northamptonshire', 'Kettering', 'Wellingborough'] } },
  { code: 'E06000062', name: 'West Northamptonshire', region: 'E12000004', replaces: { districts: ['Daventry', 'Northampton', 'South Northamptonshire'] } },
  { code: 'E06000063', name: 'Cumberland', region: 'E12000002', replaces: { districts: ['Allerdale', 'Carlisle', 'Copeland'] } },
  { code: 'E06000064', name: 'Westmorland and Furness', region: 'E12000002', replaces: { districts: ['Barrow-in-Furness', 'Eden', 'South Lakeland'] } },
  { code: 'E06000065', name: 'North Yorkshire', region: 'E12000003', replaces: { county: 'E10000023' } },
  { code: 'E06000066', name: 'Somerset', region: 'E12000009', replaces: { county: 'E10000027' } },
];

/** Unitaries made in 2019–2020 (BCP, Dorset, Buckinghamshire): in the 2020 names, not in the 2018 regions. */
export const REGIONS_OF_NEWER_UNITARIES: Readonly<Record<string, string>> = {
  E06000058: 'E12000009',
  E06000059: 'E12000009',
  E06000060: 'E12000008',
};

/**
 * The district a council is of itself: a unitary, metropolitan district or London borough is its own
 * district; a county is not, nor is a council made since 2020 from several districts.
 */
export function councilAsDistrict(council: string): string | undefined {
  return /^E0[689]/.test(council) && !COUNCILS_SINCE_2020.some(({ code }) => code === council) ? council : undefined;
}

/** England's nine regions (ONS, E12): what the 2018 lookup names them. */
export const REGIONS: Readonly<Record<string, string>> = {
  E12000001: 'North East',
  E12000002: 'North West',
  E12000003: 'Yorkshire and The Humber',
  E12000004: 'East Midlands',
  E12000005: 'West Midlands',
  E12000006: 'East of England',
  E12000007: 'London',
  E12000008: 'South East',
  E12000009: 'South West',
};
