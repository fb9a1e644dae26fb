import type { DirectoryEntry } from '#shared/model/schemas/location';
import type { LocationType, VacancyCategory } from '#shared/model/schemas/location';
import { councilAsDistrict, COUNCILS_SINCE_2020 } from '#shared/model/directory/councils';
import { normaliseName, type OnsLookups } from '#shared/model/directory/ons';

/** The fields of a CQC Syndication API location record (GET /public/v1/locations/{id}) that the directory uses. */
export interface CqcLocation {
  locationId?: string;
  providerId?: string;
  name?: string;
  registrationStatus?: string;
  dormancy?: string;
  numberOfBeds?: number;
  careHome?: string;
  localAuthority?: string;
  region?: string;
  postalAddressLine1?: string;
  postalAddressLine2?: string;
  postalAddressTownCity?: string;
  postalAddressCounty?: string;
  postalCode?: string;
  mainPhoneNumber?: string;
  /** Where its postcode is, from the ONS Postcode Directory (WGS84). */
  onspdLatitude?: number;
  onspdLongitude?: number;
  constituency?: string;
  gacServiceTypes?: Array<{ name?: string; description?: string }>;
  specialisms?: Array<{ name?: string }>;
}

export type CqcMapping =
  | { kind: 'entry'; entry: DirectoryEntry }
  | { kind: 'skip'; reason: string }
  | { kind: 'unplaced'; localAuthority: string };

const has = (list: Array<{ name?: string }> | undefined, name: string) => (list ?? []).some((item) => item.name === name);

/**
 * The CQC's service types (`gacServiceTypes[].name`, the short name; `description` is the longer text)
 * that the tracker covers, and what kind of location each makes. Listed by the CQC in the order a
 * location with several is taken: a hospice that is also registered as a care home is a hospice.
 */
export const COVERED_SERVICE_TYPES: ReadonlyArray<readonly [name: string, type: LocationType]> = [
  ['Hospice', 'hospice'],
  ['Nursing homes', 'careHome'],
  ['Residential homes', 'careHome'],
  ['Rehabilitation (substance abuse)', 'substanceMisuse'],
  ['Rehabilitation (illness/injury)', 'communityRehab'],
];
/** Bed-based, but beds the tracker does not cover (hospitals report through the NHS's own returns). */
export const OUT_OF_SCOPE_BED_SERVICES: readonly string[] = ['Hospital', 'Hospitals - Mental health/capacity'];

export const SKIP_REASONS = {
  notBedBased: 'not a bed-based service (care home, hospice, rehabilitation)',
  hospital: 'a hospital: beds the tracker does not cover',
} as const;

/** What kind of location this is, from its CQC service types; undefined when it takes no one to stay. */
function typeOf(record: CqcLocation): LocationType | undefined {
  const covered = COVERED_SERVICE_TYPES.find(([name]) => has(record.gacServiceTypes, name));
  if (covered) return covered[1];
  // A record without service types but flagged as a care home is one.
  return record.careHome === 'Y' && (record.gacServiceTypes ?? []).length === 0 ? 'careHome' : undefined;
}

/**
 * The vacancy categories a care home reports, from how the CQC registers it: nursing and/or residential,
 * and the specialisms it is registered to care for (dementia within whichever it is).
 */
function careHomeCategories(record: CqcLocation): VacancyCategory[] {
  const nursing = has(record.gacServiceTypes, 'Nursing homes');
  const residential = has(record.gacServiceTypes, 'Residential homes') || !nursing;
  const dementia = has(record.specialisms, 'Dementia');
  return [
    ...(residential ? (['residential'] as const) : []),
    ...(nursing ? (['nursing'] as const) : []),
    ...(dementia && residential ? (['dementiaResidential'] as const) : []),
    ...(dementia && nursing ? (['dementiaNursing'] as const) : []),
    ...(has(record.specialisms, 'Mental health conditions') ? (['mentalHealth'] as const) : []),
    ...(has(record.specialisms, 'Learning disabilities') ? (['learningDisability'] as const) : []),
  ];
}

export interface Placing {
  /** The council with adult social care responsibility (E06/E08/E09/E10). */
  localAuthority: string;
  /** The two-tier district (E07) inside a county, or the council itself where it is the district. */
  district?: string;
  region: string;
}

/**
 * Where a location is, as ONS codes. The CQC record names the council responsible for its social care
 * ("Devon", "Plymouth", "Somerset"): that is the location's local authority. Its postal town or
 * constituency may name a district ("Exeter", "East Devon"): that is its `district` when the district is
 * the council's own (a home with a Plymouth address that Devon is responsible for is Devon's, and has no
 * district). A county that split since the record was written ("Northamptonshire") is placed by that
 * district's council. The region is the record's, or the council's where the record names none.
 */
export function placeOf(record: CqcLocation, ons: OnsLookups): Placing | undefined {
  const hinted = [record.postalAddressTownCity, record.constituency].flatMap((hint) => {
    const district = hint ? ons.districts.get(normaliseName(hint)) : undefined;
    return district ? [district] : [];
  });
  const named = normaliseName(record.localAuthority ?? '');
  const localAuthority = ons.councils.get(named) ?? (SPLIT_COUNTIES.has(named) ? hinted.find(({ council }) => isSuccessor(council))?.council : undefined);
  if (!localAuthority) return undefined;
  const region = ons.regions.get(normaliseName(record.region ?? '')) ?? ons.regionOfCouncil.get(localAuthority);
  if (!region) return undefined;
  const own = hinted.find(({ council }) => council === localAuthority)?.code;
  const district = own ?? councilAsDistrict(localAuthority);
  return { localAuthority, region, ...(district ? { district } : {}) };
}

const isSuccessor = (code: string) => COUNCILS_SINCE_2020.some((council) => council.code === code);

/** Counties the CQC named before they split in two (their councils are found by the district). */
const SPLIT_COUNTIES = new Set(['northamptonshire', 'cumbria']);

/** The postal address without the postcode: the lines, town and county the record has, joined with ", ". */
export function addressOf(record: CqcLocation): string | undefined {
  const parts = [record.postalAddressLine1, record.postalAddressLine2, record.postalAddressTownCity, record.postalAddressCounty]
    .map((part) => (typeof part === 'string' ? part.trim() : ''))
    .filter((part) => part !== '');
  return parts.length > 0 ? parts.join(', ').slice(0, 300) : undefined;
}

/** The main phone number as the CQC gives it (trimmed); none when it is missing or empty. */
export function phoneOf(record: CqcLocation): string | undefined {
  const phone = typeof record.mainPhoneNumber === 'string' ? record.mainPhoneNumber.trim() : '';
  if (phone === '' || phone.length > 30) return undefined;
  // The CQC drops a UK number's leading zero (1392491261): put it back, so the number can be dialled as shown.
  return /^[1-9]\d{8,9}$/.test(phone) ? `0${phone}` : phone;
}

/** England, roughly (with the Scilly Isles and the Tyne to the border): coordinates outside it are a mistake. */
export const ENGLAND_BOUNDS = { minLatitude: 49.8, maxLatitude: 55.9, minLongitude: -6.5, maxLongitude: 2.0 } as const;

/** The record's coordinates when both are numbers within England; otherwise none (never half a pair). */
export function coordinatesOf(record: CqcLocation): { latitude: number; longitude: number } | undefined {
  const { onspdLatitude: latitude, onspdLongitude: longitude } = record;
  if (typeof latitude !== 'number' || typeof longitude !== 'number' || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  const inside =
    latitude >= ENGLAND_BOUNDS.minLatitude && latitude <= ENGLAND_BOUNDS.maxLatitude && longitude >= ENGLAND_BOUNDS.minLongitude && longitude <= ENGLAND_BOUNDS.maxLongitude;
  return inside ? { latitude, longitude } : undefined;
}

/** One CQC record → a directory entry, or why it is not one. */
export function mapCqcLocation(record: CqcLocation, ons: OnsLookups): CqcMapping {
  if (!record.locationId || !/^1-[0-9]{6,11}$/.test(record.locationId)) return { kind: 'skip', reason: 'no valid CQC location ID' };
  if (!record.providerId || !/^1-[0-9]{6,11}$/.test(record.providerId)) return { kind: 'skip', reason: 'no valid CQC provider ID' };
  if (!record.name) return { kind: 'skip', reason: 'no name' };
  const type = typeOf(record);
  if (!type) {
    const hospital = OUT_OF_SCOPE_BED_SERVICES.some((name) => has(record.gacServiceTypes, name));
    return { kind: 'skip', reason: hospital ? SKIP_REASONS.hospital : SKIP_REASONS.notBedBased };
  }
  // A bed-based service without a bed count cannot be checked for plausibility: better reported than guessed.
  if (typeof record.numberOfBeds !== 'number' || record.numberOfBeds < 0) return { kind: 'skip', reason: 'no number of beds' };
  const place = placeOf(record, ons);
  if (!place) return { kind: 'unplaced', localAuthority: record.localAuthority ?? '(none)' };
  const address = addressOf(record);
  const phone = phoneOf(record);
  const coordinates = coordinatesOf(record);
  return {
    kind: 'entry',
    entry: {
      locationId: record.locationId,
      providerId: record.providerId,
      name: record.name,
      type,
      categories: type === 'careHome' ? careHomeCategories(record) : ['inpatient'],
      registeredBeds: record.numberOfBeds,
      localAuthority: place.localAuthority,
      ...(place.district ? { district: place.district } : {}),
      region: place.region,
      // Deregistered and dormant locations stay in the directory, inactive: no reminders, no completeness.
      active: record.registrationStatus === 'Registered' && record.dormancy !== 'Y',
      lastUpdated: null,
      ...(address ? { address } : {}),
      ...(record.postalCode ? { postcode: record.postalCode.slice(0, 10) } : {}),
      ...(phone ? { phone } : {}),
      ...(coordinates ?? {}),
    },
  };
}

/** The directory fields an import owns; the rest (lastUpdated, contacts) belong to the running system. */
export const IMPORTED_FIELDS = ['providerId', 'name', 'type', 'categories', 'registeredBeds', 'localAuthority', 'district', 'region', 'active', 'address', 'postcode', 'phone', 'latitude', 'longitude'] as const;

export function changedFields(before: Record<string, unknown>, after: DirectoryEntry): string[] {
  return IMPORTED_FIELDS.filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null));
}
