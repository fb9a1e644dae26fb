import { parse } from 'csv-parse/sync';

/** A postcode district (the outward code: `OL8`, `EX1`, `SW1A`) and its centre, from Ordnance Survey's Code-Point Open. */
export interface PostcodeDistrict {
  code: string;
  latitude: number;
  longitude: number;
  town?: string;
  area?: string;
}

const DISTRICT = /^[A-Z]{1,2}[0-9][0-9A-Z]?$/;
const FULL_POSTCODE = /^([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9][A-Z]{2})$/;

/**
 * The district a search names: a district (`ol8`) or a full postcode (`OL8 1AB`, `ol81ab`), which is
 * placed by its district. Undefined when it is neither.
 */
export function postcodeDistrictOf(text: string): string | undefined {
  const compact = text.trim().toUpperCase().replace(/\s+/g, ' ');
  if (DISTRICT.test(compact)) return compact;
  const full = FULL_POSTCODE.exec(compact);
  return full ? full[1] : undefined;
}

/** The rows of `postcode-districts.csv` (district, latitude, longitude, town, area). */
export function parsePostcodeDistricts(text: string): PostcodeDistrict[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true, bom: true, trim: true }) as Array<Record<string, string>>;
  return rows.flatMap((row) => {
    const code = (row.district ?? '').toUpperCase();
    const latitude = Number(row.latitude);
    const longitude = Number(row.longitude);
    if (!DISTRICT.test(code) || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return [];
    return [{ code, latitude, longitude, ...(row.town ? { town: row.town } : {}), ...(row.area ? { area: row.area } : {}) }];
  });
}
