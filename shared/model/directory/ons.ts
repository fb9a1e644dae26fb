import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { LOCAL_AUTHORITY_PATTERN, REGION_PATTERN } from '#shared/model/schemas/common';

export interface OnsLookups {
  /** Normalised local authority name → ONS code (E06/E07/E08/E09). */
  localAuthorities: Map<string, string>;
  /** Normalised region name → ONS region code (E12000001..9). */
  regions: Map<string, string>;
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

function readCsv(dir: string, file: string): Row[] {
  return parse(readFileSync(join(dir, file), 'utf8'), { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Row[];
}

export function loadOnsLookups(dir: string): OnsLookups {
  const localAuthorities = new Map<string, string>();
  const regions = new Map<string, string>();
  for (const row of readCsv(dir, 'lad20-names-codes.csv')) {
    // The names file covers the UK; only English districts fit the directory's area codes.
    if (row.LAD20CD && row.LAD20NM && LOCAL_AUTHORITY_PATTERN.test(row.LAD20CD)) localAuthorities.set(normaliseName(row.LAD20NM), row.LAD20CD);
  }
  for (const row of readCsv(dir, 'lad18-to-region18-england.csv')) {
    if (row.RGN18CD && row.RGN18NM && REGION_PATTERN.test(row.RGN18CD)) regions.set(normaliseName(row.RGN18NM), row.RGN18CD);
  }
  return { localAuthorities, regions };
}
