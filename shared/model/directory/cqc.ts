import type { DirectoryEntry } from '#shared/model/schemas/location';
import type { LocationType, VacancyCategory } from '#shared/model/schemas/location';
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
  postalCode?: string;
  postalAddressTownCity?: string;
  constituency?: string;
  gacServiceTypes?: Array<{ name?: string }>;
  specialisms?: Array<{ name?: string }>;
}

export type CqcMapping =
  | { kind: 'entry'; entry: DirectoryEntry; placedBy: 'name' | 'town' }
  | { kind: 'skip'; reason: string }
  | { kind: 'unplaced'; localAuthority: string };

const has = (list: Array<{ name?: string }> | undefined, name: string) => (list ?? []).some((item) => item.name === name);

/** What kind of location this is, from its CQC service types; undefined when it takes no one to stay. */
function typeOf(record: CqcLocation): LocationType | undefined {
  const services = record.gacServiceTypes;
  if (has(services, 'Hospice services')) return 'hospice';
  if (record.careHome === 'Y' || has(services, 'Nursing homes') || has(services, 'Residential homes')) return 'careHome';
  if (has(services, 'Rehabilitation services') || has(services, 'Community based services for people who misuse substances')) return 'substanceMisuse';
  if (has(services, 'Rehabilitation (illness/injury)')) return 'communityRehab';
  return undefined;
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

/** Districts of a two-tier county: the only codes a county's location can be placed in by its town. */
const DISTRICT = /^E07/;

/**
 * Where a location is, as ONS codes. The CQC names the authority responsible for social care: a
 * unitary (Plymouth) is found by name. A county (Devon) has no district-level code of its own, so the
 * location goes in the district its postal town or constituency names ("Exeter", "East Devon"), but
 * never in a unitary of that name: a home with a Plymouth address that Devon is responsible for is not
 * Plymouth's. Anything else is left for an operator to place.
 */
function placeOf(record: CqcLocation, ons: OnsLookups): { localAuthority: string; placedBy: 'name' | 'town' } | undefined {
  const byName = ons.localAuthorities.get(normaliseName(record.localAuthority ?? ''));
  if (byName) return { localAuthority: byName, placedBy: 'name' };
  for (const hint of [record.postalAddressTownCity, record.constituency]) {
    const code = hint ? ons.localAuthorities.get(normaliseName(hint)) : undefined;
    if (code && DISTRICT.test(code)) return { localAuthority: code, placedBy: 'town' };
  }
  return undefined;
}

/** One CQC record → a directory entry, or why it is not one. */
export function mapCqcLocation(record: CqcLocation, ons: OnsLookups): CqcMapping {
  if (!record.locationId || !/^1-[0-9]{6,11}$/.test(record.locationId)) return { kind: 'skip', reason: 'no valid CQC location ID' };
  if (!record.providerId || !/^1-[0-9]{6,11}$/.test(record.providerId)) return { kind: 'skip', reason: 'no valid CQC provider ID' };
  if (!record.name) return { kind: 'skip', reason: 'no name' };
  const type = typeOf(record);
  if (!type) return { kind: 'skip', reason: 'not a bed-based service (care home, hospice, rehabilitation)' };
  // A bed-based service without a bed count cannot be checked for plausibility: better reported than guessed.
  if (typeof record.numberOfBeds !== 'number' || record.numberOfBeds < 0) return { kind: 'skip', reason: 'no number of beds' };
  const region = ons.regions.get(normaliseName(record.region ?? ''));
  const place = placeOf(record, ons);
  if (!place || !region) return { kind: 'unplaced', localAuthority: record.localAuthority ?? '(none)' };
  return {
    kind: 'entry',
    placedBy: place.placedBy,
    entry: {
      locationId: record.locationId,
      providerId: record.providerId,
      name: record.name,
      type,
      categories: type === 'careHome' ? careHomeCategories(record) : ['inpatient'],
      registeredBeds: record.numberOfBeds,
      localAuthority: place.localAuthority,
      region,
      // Deregistered and dormant locations stay in the directory, inactive: no reminders, no completeness.
      active: record.registrationStatus === 'Registered' && record.dormancy !== 'Y',
      lastUpdated: null,
      ...(record.postalCode ? { postcode: record.postalCode.slice(0, 10) } : {}),
    },
  };
}

/** The directory fields an import owns; the rest (lastUpdated, contacts) belong to the running system. */
export const IMPORTED_FIELDS = ['providerId', 'name', 'type', 'categories', 'registeredBeds', 'localAuthority', 'region', 'active', 'postcode'] as const;

export function changedFields(before: Record<string, unknown>, after: DirectoryEntry): string[] {
  return IMPORTED_FIELDS.filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null));
}
