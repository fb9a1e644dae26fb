import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { COUNCILS_SINCE_2020, REGIONS_OF_NEWER_UNITARIES } from '#shared/model/directory/councils';
import { LOCAL_AUTHORITY_PATTERN, REGION_PATTERN, TWO_TIER_DISTRICT_PATTERN } from '#shared/model/schemas/common';

/**
 * An area the directory places locations in, with its name: a council (the local-authority level, whose
 * parent is its region), a region, or a two-tier district (whose parent is its county council).
 */
export interface Area {
  level: 'localAuthority' | 'region' | 'district';
  code: string;
  name: string;
  parent?: string;
}

export interface OnsLookups {
  /** Normalised council name → council code (E06/E08/E09/E10), councils made since 2020 included. */
  councils: Map<string, string>;
  /** Normalised name of a two-tier district (E07) → its code and its council. */
  districts: Map<string, { code: string; council: string }>;
  /** District code (E07) → its council: to move data placed by district. */
  councilOfDistrict: Map<string, string>;
  /** Normalised region name → ONS region code (E12000001..9). */
  regions: Map<string, string>;
  regionOfCouncil: Map<string, string>;
}

/**
 * CQC and ONS spell the same authority differently ("Bristol" / "Bristol, City of", "St Helens" /
 * "St. Helens", "&" / "and"), so names are compared in a form that ignores those differences.
 */
export function normaliseName(name: string): string {
  let key = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
  // Repeated because a name may carry more than one form ("The City of ...").
  for (let previous = ''; previous !== key; ) {
    previous = key;
    key = key
      .replace(/^the /, '')
      .replace(/^(city|county|royal borough|london borough|metropolitan borough|borough) of /, '')
      .replace(/ (city|county) of$/, '');
  }
  return key;
}

type Row = Record<string, string>;
const rows = (text: string): Row[] => parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Row[];

/** The three ONS files, as text: district names (2020), districts to regions (2018), districts to counties (2020). */
export interface OnsFiles {
  names: string;
  regions: string;
  counties: string;
}

export const ONS_FILE_NAMES = { names: 'lad20-names-codes.csv', regions: 'lad18-to-region18-england.csv', counties: 'lad20-to-county20-england.csv' } as const;

export function readOnsFiles(dir: string): OnsFiles {
  return {
    names: readFileSync(join(dir, ONS_FILE_NAMES.names), 'utf8'),
    regions: readFileSync(join(dir, ONS_FILE_NAMES.regions), 'utf8'),
    counties: readFileSync(join(dir, ONS_FILE_NAMES.counties), 'utf8'),
  };
}

/**
 * Every council, region and two-tier district of England, named, from ONS's lookups and the councils
 * made since: a district's council is the successor that replaced it, else its county (E10) where it has
 * one, else the district itself (a unitary, metropolitan district or London borough).
 */
export function onsAreas(files: OnsFiles): Area[] {
  const areas = new Map<string, Area>();
  const regionOf = new Map<string, string>();
  for (const row of rows(files.regions)) {
    if (!row.RGN18CD || !REGION_PATTERN.test(row.RGN18CD)) continue;
    areas.set(row.RGN18CD, { level: 'region', code: row.RGN18CD, name: row.RGN18NM ?? row.RGN18CD });
    if (row.LAD18CD) regionOf.set(row.LAD18CD, row.RGN18CD);
  }
  const countyOf = new Map<string, { code: string; name: string }>();
  for (const row of rows(files.counties)) {
    if (row.LAD20CD && row.CTY20CD?.startsWith('E10') && row.CTY20NM) countyOf.set(row.LAD20CD, { code: row.CTY20CD, name: row.CTY20NM });
  }
  const successorOf = (district: { code: string; name: string }) =>
    COUNCILS_SINCE_2020.find(({ replaces }) =>
      'county' in replaces ? countyOf.get(district.code)?.code === replaces.county : replaces.districts.some((name) => normaliseName(name) === normaliseName(district.name)),
    );
  const councilRegion = new Map<string, string>(Object.entries(REGIONS_OF_NEWER_UNITARIES));
  for (const council of COUNCILS_SINCE_2020) {
    areas.set(council.code, { level: 'localAuthority', code: council.code, name: council.name });
    councilRegion.set(council.code, council.region);
  }
  for (const row of rows(files.names)) {
    const code = row.LAD20CD ?? '';
    const name = row.LAD20NM ?? '';
    if (!name || !(LOCAL_AUTHORITY_PATTERN.test(code) || TWO_TIER_DISTRICT_PATTERN.test(code))) continue;
    const successor = successorOf({ code, name });
    const county = countyOf.get(code);
    const council = successor?.code ?? county?.code ?? code;
    if (council === code) areas.set(code, { level: 'localAuthority', code, name });
    else {
      areas.set(code, { level: 'district', code, name, parent: council });
      if (!areas.has(council) && county) areas.set(council, { level: 'localAuthority', code: council, name: county.name });
    }
    const region = regionOf.get(code);
    if (region && !councilRegion.has(council)) councilRegion.set(council, region);
  }
  for (const area of areas.values()) {
    if (area.level === 'localAuthority') {
      const region = councilRegion.get(area.code);
      if (region) area.parent = region;
    }
  }
  return [...areas.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** The name lookups the importer places CQC records with, from the areas (as read from files or the areas table). */
export function lookupsFromAreas(areas: readonly Area[]): OnsLookups {
  const lookups: OnsLookups = { councils: new Map(), districts: new Map(), councilOfDistrict: new Map(), regions: new Map(), regionOfCouncil: new Map() };
  for (const area of areas) {
    if (area.level === 'region') lookups.regions.set(normaliseName(area.name), area.code);
    else if (area.level === 'localAuthority') {
      lookups.councils.set(normaliseName(area.name), area.code);
      if (area.parent) lookups.regionOfCouncil.set(area.code, area.parent);
    } else if (area.parent) {
      lookups.districts.set(normaliseName(area.name), { code: area.code, council: area.parent });
      lookups.councilOfDistrict.set(area.code, area.parent);
    }
  }
  return lookups;
}

export function loadOnsLookups(dir: string): OnsLookups {
  return lookupsFromAreas(onsAreas(readOnsFiles(dir)));
}
