import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { changedFields, COVERED_SERVICE_TYPES, mapCqcLocation, OUT_OF_SCOPE_BED_SERVICES, SKIP_REASONS, type CqcLocation } from '#shared/model/directory/cqc';
import { loadOnsLookups, lookupsFromAreas, normaliseName, onsAreas, readOnsFiles } from '#shared/model/directory/ons';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';

/** The real ONS lookups (../shared/data/ons) where they are; else the few areas these tests need. */
const ONS_DIR = join(REPO_ROOT, '..', 'shared', 'data', 'ons');
const realOns = existsSync(ONS_DIR);
const ons = realOns
  ? loadOnsLookups(ONS_DIR)
  : lookupsFromAreas([
      { level: 'region', code: 'E12000009', name: 'South West' },
      { level: 'region', code: 'E12000004', name: 'East Midlands' },
      { level: 'localAuthority', code: 'E06000026', name: 'Plymouth', parent: 'E12000009' },
      { level: 'localAuthority', code: 'E06000027', name: 'Torbay', parent: 'E12000009' },
      { level: 'localAuthority', code: 'E06000023', name: 'Bristol, City of', parent: 'E12000009' },
      { level: 'localAuthority', code: 'E10000008', name: 'Devon', parent: 'E12000009' },
      { level: 'localAuthority', code: 'E06000066', name: 'Somerset', parent: 'E12000009' },
      { level: 'localAuthority', code: 'E06000061', name: 'North Northamptonshire', parent: 'E12000004' },
      { level: 'localAuthority', code: 'E06000062', name: 'West Northamptonshire', parent: 'E12000004' },
      { level: 'district', code: 'E07000041', name: 'Exeter', parent: 'E10000008' },
      { level: 'district', code: 'E07000040', name: 'East Devon', parent: 'E10000008' },
      { level: 'district', code: 'E07000189', name: 'South Somerset', parent: 'E06000066' },
      { level: 'district', code: 'E07000153', name: 'Kettering', parent: 'E06000061' },
      { level: 'district', code: 'E07000154', name: 'Northampton', parent: 'E06000062' },
    ]);

const record = (overrides: Partial<CqcLocation> = {}): CqcLocation => ({
  locationId: '1-1000587219',
  providerId: '1-101693962',
  name: 'Highlands Borders Care Home',
  registrationStatus: 'Registered',
  dormancy: 'N',
  numberOfBeds: 28,
  careHome: 'Y',
  localAuthority: 'Plymouth',
  region: 'South West',
  postalCode: 'PL1 2QE',
  postalAddressTownCity: 'Plymouth',
  gacServiceTypes: [{ name: 'Residential homes' }],
  specialisms: [{ name: 'Caring for adults over 65 yrs' }],
  ...overrides,
});

const entryOf = (input: CqcLocation) => {
  const mapped = mapCqcLocation(input, ons);
  if (mapped.kind !== 'entry') throw new Error(`expected an entry, got ${JSON.stringify(mapped)}`);
  return mapped.entry;
};

describe('mapping a CQC location record', () => {
  test('a residential home in a unitary: type, categories, beds, ONS codes, active', () => {
    expect(entryOf(record())).toEqual({
      locationId: '1-1000587219',
      providerId: '1-101693962',
      name: 'Highlands Borders Care Home',
      type: 'careHome',
      categories: ['residential'],
      registeredBeds: 28,
      localAuthority: 'E06000026',
      district: 'E06000026',
      region: 'E12000009',
      active: true,
      lastUpdated: null,
      address: 'Plymouth',
      postcode: 'PL1 2QE',
    });
  });

  test('the address, postcode, phone and coordinates come from the record as the CQC gives them (a phone number with the leading zero the CQC drops)', () => {
    // The first record of the real sample (../shared/data/cqc), as the CQC API gives it.
    const entry = entryOf(record({
      localAuthority: 'Devon',
      postalAddressLine1: '22 Salutary Mount',
      postalAddressLine2: 'Heavitree',
      postalAddressTownCity: 'Exeter',
      postalAddressCounty: 'Devon',
      postalCode: 'EX1 2QE',
      mainPhoneNumber: '1392491261',
      onspdLatitude: 50.721541,
      onspdLongitude: -3.508053,
    }));
    expect(entry).toMatchObject({
      address: '22 Salutary Mount, Heavitree, Exeter, Devon',
      postcode: 'EX1 2QE',
      phone: '01392491261',
      latitude: 50.721541,
      longitude: -3.508053,
    });
  });

  test('an address is the lines the record has; a phone number is trimmed, and an empty one is none', () => {
    expect(entryOf(record({ postalAddressLine1: '  Burlescombe ', postalAddressLine2: '', postalAddressTownCity: 'Tiverton', postalAddressCounty: undefined })).address).toBe('Burlescombe, Tiverton');
    expect(entryOf(record({ postalAddressTownCity: undefined })).address).toBeUndefined();
    expect(entryOf(record({ postalAddressLine1: 'x'.repeat(400) })).address).toHaveLength(300);
    expect(entryOf(record({ mainPhoneNumber: ' 01752 123456 ' })).phone).toBe('01752 123456');
    expect(entryOf(record({ mainPhoneNumber: '' })).phone).toBeUndefined();
    expect(entryOf(record({ mainPhoneNumber: '   ' })).phone).toBeUndefined();
    expect('phone' in entryOf(record())).toBe(false);
  });

  test.each([
    ['no coordinates', {}],
    ['only a latitude', { onspdLatitude: 50.4 }],
    ['only a longitude', { onspdLongitude: -4.1 }],
    ['not numbers', { onspdLatitude: '50.4', onspdLongitude: '-4.1' }],
    ['not finite', { onspdLatitude: Number.NaN, onspdLongitude: -4.1 }],
    ['the null island', { onspdLatitude: 0, onspdLongitude: 0 }],
    ['Jersey, south of England', { onspdLatitude: 49.19, onspdLongitude: -2.11 }],
    ['Aberdeen, north of England', { onspdLatitude: 57.15, onspdLongitude: -2.09 }],
    ['latitude and longitude swapped', { onspdLatitude: -4.1, onspdLongitude: 50.4 }],
  ])('coordinates are left out when there are %s', (_label, coordinates) => {
    const entry = entryOf(record(coordinates as Partial<CqcLocation>));
    expect('latitude' in entry || 'longitude' in entry).toBe(false);
  });

  test('coordinates anywhere in England are kept, the Scilly Isles and Berwick too', () => {
    expect(entryOf(record({ onspdLatitude: 49.914, onspdLongitude: -6.315 }))).toMatchObject({ latitude: 49.914, longitude: -6.315 });
    expect(entryOf(record({ onspdLatitude: 55.771, onspdLongitude: -2.005 }))).toMatchObject({ latitude: 55.771, longitude: -2.005 });
  });

  test('a nursing home caring for dementia, mental health and learning disabilities', () => {
    const entry = entryOf(record({
      gacServiceTypes: [{ name: 'Nursing homes' }],
      specialisms: [{ name: 'Dementia' }, { name: 'Mental health conditions' }, { name: 'Learning disabilities' }, { name: 'Physical disabilities' }],
    }));
    expect(entry.categories).toEqual(['nursing', 'dementiaNursing', 'mentalHealth', 'learningDisability']);
  });

  test('a home that is both nursing and residential, with dementia, gets both dementia categories', () => {
    const entry = entryOf(record({ gacServiceTypes: [{ name: 'Nursing homes' }, { name: 'Residential homes' }], specialisms: [{ name: 'Dementia' }] }));
    expect(entry.categories).toEqual(['residential', 'nursing', 'dementiaResidential', 'dementiaNursing']);
  });

  // Every service type the CQC names (../shared/data/README.md), by its short name as the API gives it.
  test.each([
    ['Residential homes', 'careHome'],
    ['Nursing homes', 'careHome'],
    ['Hospice', 'hospice'],
    ['Rehabilitation (illness/injury)', 'communityRehab'],
    ['Rehabilitation (substance abuse)', 'substanceMisuse'],
  ] as const)('the service "%s" is a %s location', (name, type) => {
    const entry = entryOf(record({ careHome: 'N', gacServiceTypes: [{ name }] }));
    expect(entry.type).toBe(type);
    expect(entry.categories).toEqual(type === 'careHome' ? [name === 'Nursing homes' ? 'nursing' : 'residential'] : ['inpatient']);
  });

  test('the covered services are exactly the five the tracker takes returns from', () => {
    expect(COVERED_SERVICE_TYPES.map(([name]) => name).sort()).toEqual(['Hospice', 'Nursing homes', 'Rehabilitation (illness/injury)', 'Rehabilitation (substance abuse)', 'Residential homes']);
  });

  test.each(['Hospital', 'Hospitals - Mental health/capacity'])('"%s" has beds, but not beds the tracker covers: skipped as a hospital', (name) => {
    expect(OUT_OF_SCOPE_BED_SERVICES).toContain(name);
    expect(mapCqcLocation(record({ careHome: 'N', gacServiceTypes: [{ name }] }), ons)).toEqual({ kind: 'skip', reason: SKIP_REASONS.hospital });
  });

  test.each([
    'Home hospice care', 'Community services - Substance abuse', 'Homecare agencies', 'Supported living', 'Supported housing', 'Shared lives',
    'Doctors/Gps', 'Dentist', 'Clinic', 'Diagnosis/screening', 'Ambulances', 'Urgent care centres', 'Phone/online advice', 'Long-term conditions',
    'Community services - Healthcare', 'Community services - Learning disabilities', 'Community services - Mental Health', 'Specialist college service',
  ])('"%s" takes no one to stay: skipped as not bed-based', (name) => {
    expect(mapCqcLocation(record({ careHome: 'N', gacServiceTypes: [{ name }] }), ons)).toEqual({ kind: 'skip', reason: SKIP_REASONS.notBedBased });
  });

  test('the descriptions the CQC gives beside the names are not names: "Hospice services" alone is not a hospice', () => {
    expect(mapCqcLocation(record({ careHome: 'N', gacServiceTypes: [{ name: 'Hospice services at home', description: 'Hospice services at home' }] }), ons)).toMatchObject({ kind: 'skip' });
    expect(entryOf(record({ careHome: 'N', gacServiceTypes: [{ name: 'Hospice', description: 'Hospice services' }] })).type).toBe('hospice');
  });

  test('deregistered and dormant locations are kept, inactive', () => {
    expect(entryOf(record({ registrationStatus: 'Deregistered' })).active).toBe(false);
    expect(entryOf(record({ dormancy: 'Y' })).active).toBe(false);
  });

  test('what is not a bed-based service, or has no bed count or IDs, is skipped with the reason', () => {
    expect(mapCqcLocation(record({ careHome: 'N', gacServiceTypes: [{ name: 'Homecare agencies' }] }), ons)).toEqual({ kind: 'skip', reason: expect.stringMatching(/not a bed-based service/) });
    expect(mapCqcLocation(record({ numberOfBeds: undefined }), ons)).toEqual({ kind: 'skip', reason: 'no number of beds' });
    expect(mapCqcLocation(record({ locationId: 'RXH01' }), ons)).toMatchObject({ kind: 'skip' });
  });

  test('a county location belongs to the county council; the district its town names is kept as its district', () => {
    expect(entryOf(record({ localAuthority: 'Devon', postalAddressTownCity: 'Exeter' }))).toMatchObject({ localAuthority: 'E10000008', district: 'E07000041', region: 'E12000009' });
    expect(entryOf(record({ localAuthority: 'Devon', postalAddressTownCity: 'Sidmouth', constituency: 'East Devon' }))).toMatchObject({ localAuthority: 'E10000008', district: 'E07000040' });
    // Devon is responsible for it, whatever its postal town says: Devon's, with no district.
    const postal = entryOf(record({ localAuthority: 'Devon', postalAddressTownCity: 'Plymouth', constituency: 'South West Devon' }));
    expect(postal.localAuthority).toBe('E10000008');
    expect(postal.district).toBeUndefined();
  });

  test('councils made since 2020 are placed from the names the CQC gives them', () => {
    expect(entryOf(record({ localAuthority: 'Somerset', postalAddressTownCity: 'Yeovil', constituency: 'Yeovil' }))).toMatchObject({ localAuthority: 'E06000066', region: 'E12000009' });
    expect(entryOf(record({ localAuthority: 'Somerset', postalAddressTownCity: 'Somewhere', constituency: 'South Somerset' }))).toMatchObject({ localAuthority: 'E06000066', district: 'E07000189' });
    expect(entryOf(record({ localAuthority: 'North Northamptonshire', region: 'East Midlands', postalAddressTownCity: 'Kettering' }))).toMatchObject({ localAuthority: 'E06000061', district: 'E07000153', region: 'E12000004' });
    // A record from before the split names the old county: the district its town names decides.
    expect(entryOf(record({ localAuthority: 'Northamptonshire', region: 'East Midlands', postalAddressTownCity: 'Northampton' }))).toMatchObject({ localAuthority: 'E06000062' });
    expect(mapCqcLocation(record({ localAuthority: 'Northamptonshire', region: 'East Midlands', postalAddressTownCity: 'Nowhere' }), ons)).toEqual({ kind: 'unplaced', localAuthority: 'Northamptonshire' });
  });

  test('a council the lookups do not know is reported unplaced, never guessed', () => {
    expect(mapCqcLocation(record({ localAuthority: 'Atlantis', postalAddressTownCity: 'Exeter' }), ons)).toEqual({ kind: 'unplaced', localAuthority: 'Atlantis' });
  });

  test('names match across spellings', () => {
    expect(normaliseName('Bristol, City of')).toBe(normaliseName('City of Bristol'));
    expect(normaliseName('St. Helens')).toBe('st helens');
    expect(normaliseName('Brighton & Hove')).toBe(normaliseName('Brighton and Hove'));
  });

  test('a change is described by the imported fields that differ', () => {
    const before = entryOf(record());
    expect(changedFields(before as unknown as Record<string, unknown>, entryOf(record()))).toEqual([]);
    expect(changedFields(before as unknown as Record<string, unknown>, entryOf(record({ numberOfBeds: 30, name: 'Highlands' })))).toEqual(['name', 'registeredBeds']);
  });

  test('a new phone number, address or position is a change the CQC sync writes', () => {
    const before = entryOf(record({ mainPhoneNumber: '1752000001', postalAddressLine1: '1 Hoe Road', onspdLatitude: 50.3649, onspdLongitude: -4.1421 })) as unknown as Record<string, unknown>;
    const changed = (overrides: Partial<CqcLocation>) =>
      changedFields(before, entryOf(record({ mainPhoneNumber: '1752000001', postalAddressLine1: '1 Hoe Road', onspdLatitude: 50.3649, onspdLongitude: -4.1421, ...overrides })));
    expect(changed({})).toEqual([]);
    expect(changed({ mainPhoneNumber: '1752000002' })).toEqual(['phone']);
    expect(changed({ mainPhoneNumber: '' })).toEqual(['phone']);
    expect(changed({ postalAddressLine1: '2 Hoe Road' })).toEqual(['address']);
    expect(changed({ onspdLatitude: 50.37, onspdLongitude: -4.15 })).toEqual(['latitude', 'longitude']);
    expect(changed({ onspdLatitude: undefined, onspdLongitude: undefined })).toEqual(['latitude', 'longitude']);
    // A directory entry from before locations had these: the next sync fills them in.
    const { phone: _phone, address: _address, latitude: _latitude, longitude: _longitude, ...older } = before;
    expect(changedFields(older, entryOf(record({ mainPhoneNumber: '1752000001', postalAddressLine1: '1 Hoe Road', onspdLatitude: 50.3649, onspdLongitude: -4.1421 })))).toEqual(['address', 'phone', 'latitude', 'longitude']);
  });
});

describe.skipIf(!realOns)('the councils of England, from the ONS lookups', () => {
  const areas = realOns ? onsAreas(readOnsFiles(ONS_DIR)) : [];
  const of = (level: string) => areas.filter((area) => area.level === level);

  test('153 councils with adult social care responsibility, each in one of the 9 regions; no district among them', () => {
    expect(of('region')).toHaveLength(9);
    expect(of('localAuthority')).toHaveLength(153);
    for (const council of of('localAuthority')) {
      expect(council.code).toMatch(/^E(0[689]|10)\d{6}$/);
      expect(council.parent).toMatch(/^E1200000[1-9]$/);
    }
    // The counties replaced since 2020 are gone; their successors are there.
    const codes = new Set(of('localAuthority').map(({ code }) => code));
    for (const gone of ['E10000006', 'E10000021', 'E10000023', 'E10000027']) expect(codes.has(gone)).toBe(false);
    for (let n = 60; n <= 66; n += 1) expect(codes.has(`E060000${n}`)).toBe(true);
  });

  test('every two-tier district belongs to a council', () => {
    const councils = new Set(of('localAuthority').map(({ code }) => code));
    for (const district of of('district')) {
      expect(district.code).toMatch(/^E07\d{6}$/);
      expect(councils.has(district.parent!)).toBe(true);
    }
    expect(areas.find(({ code }) => code === 'E07000187')).toMatchObject({ name: 'Mendip', parent: 'E06000066' });
    expect(areas.find(({ code }) => code === 'E07000027')).toMatchObject({ name: 'Barrow-in-Furness', parent: 'E06000064' });
  });
});
