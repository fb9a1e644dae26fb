import { describe, expect, test } from 'vitest';
import { changedFields, mapCqcLocation, type CqcLocation } from '#shared/model/directory/cqc';
import { normaliseName, type OnsLookups } from '#shared/model/directory/ons';

const ons: OnsLookups = {
  localAuthorities: new Map([
    ['plymouth', 'E06000026'],
    ['torbay', 'E06000027'],
    ['exeter', 'E07000041'],
    ['east devon', 'E07000040'],
    ['bristol', 'E06000023'],
  ]),
  regions: new Map([['south west', 'E12000009']]),
};

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
      region: 'E12000009',
      active: true,
      lastUpdated: null,
      postcode: 'PL1 2QE',
    });
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

  test('hospices and rehabilitation services report inpatient beds', () => {
    expect(entryOf(record({ careHome: 'N', gacServiceTypes: [{ name: 'Hospice services' }] }))).toMatchObject({ type: 'hospice', categories: ['inpatient'] });
    expect(entryOf(record({ careHome: 'N', gacServiceTypes: [{ name: 'Rehabilitation (illness/injury)' }] }))).toMatchObject({ type: 'communityRehab', categories: ['inpatient'] });
    expect(entryOf(record({ careHome: 'N', gacServiceTypes: [{ name: 'Rehabilitation services' }] }))).toMatchObject({ type: 'substanceMisuse' });
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

  test('a county location goes in the district its town names, never in a unitary, else it is reported unplaced', () => {
    expect(entryOf(record({ localAuthority: 'Devon', postalAddressTownCity: 'Exeter' })).localAuthority).toBe('E07000041');
    expect(entryOf(record({ localAuthority: 'Devon', postalAddressTownCity: 'Sidmouth', constituency: 'East Devon' })).localAuthority).toBe('E07000040');
    // Devon is responsible for it, whatever its postal town says.
    expect(mapCqcLocation(record({ localAuthority: 'Devon', postalAddressTownCity: 'Plymouth', constituency: 'South West Devon' }), ons)).toEqual({ kind: 'unplaced', localAuthority: 'Devon' });
    expect(mapCqcLocation(record({ localAuthority: 'Somerset', postalAddressTownCity: 'Yeovil' }), ons)).toEqual({ kind: 'unplaced', localAuthority: 'Somerset' });
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
});
