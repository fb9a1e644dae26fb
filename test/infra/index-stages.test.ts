import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCapacityTracker } from '#infra/capacity-tracker';
import { stageSettingsFromContext } from '#infra/stage';
import { tables } from '#shared/model/tables';
import { logicalIdOf, resourceById } from './template-queries';
import { newApp, SYNTH_TIMEOUT } from './synth';

/**
 * A staged change of a table's indexes (docs/operations.md, "Changing an index"): CloudFormation creates
 * or deletes one index per update and cannot change one in place, so issue 20's keys-only listing
 * indexes replace the ALL-projected ones over several deploys, each told by `-c legacyIndexes` which old
 * ones the table still keeps and by `-c pendingIndexes` which new ones it does not have yet.
 */
type Gsi = { IndexName: string; Projection: { ProjectionType: string } };
const gsisOf = (template: Template, logicalId: string) => (resourceById(template, logicalId).Properties.GlobalSecondaryIndexes as Gsi[]).map((gsi) => [gsi.IndexName, gsi.Projection.ProjectionType]);

describe('a staged change of the locations indexes', { timeout: SYNTH_TIMEOUT }, () => {
  let midway: Array<Array<string>>;
  let attributes: string[];
  beforeAll(() => {
    // The first deploy of the change: one new index created, the four old ones kept.
    const stacks = buildCapacityTracker(newApp({ stage: 'dev', legacyIndexes: 'byLocalAuthority,byRegion,byCountry,byProvider', pendingIndexes: 'listingByRegion,listingByCountry' }));
    const template = Template.fromStack(stacks.data);
    const logicalId = logicalIdOf(stacks.data.tables.locations);
    midway = gsisOf(template, logicalId);
    attributes = (resourceById(template, logicalId).Properties.AttributeDefinitions as Array<{ AttributeName: string }>).map((a) => a.AttributeName);
  }, SYNTH_TIMEOUT);

  it('keeps the legacy indexes named, as they were (ALL), and holds back the pending ones', () => {
    expect(midway).toEqual([
      ['listingByLocalAuthority', 'KEYS_ONLY'],
      ['activeByLocalAuthority', 'INCLUDE'],
      ['activeByRegion', 'INCLUDE'],
      ['activeByCountry', 'INCLUDE'],
      ['pausedByCountry', 'KEYS_ONLY'],
      ['byLocalAuthority', 'ALL'],
      ['byRegion', 'ALL'],
      ['byCountry', 'ALL'],
      ['byProvider', 'ALL'],
    ]);
    // byProvider's key is declared while the index is kept.
    expect(attributes).toContain('providerId');
  });

  it('differs from what the table had before by one index, as CloudFormation requires of an update', () => {
    const before = [...tables.locations.legacyIndexes.map((index) => index.indexName), 'activeByLocalAuthority', 'activeByRegion', 'activeByCountry', 'pausedByCountry'];
    const now = midway.map(([name]) => name!);
    expect([...now.filter((name) => !before.includes(name)), ...before.filter((name) => !now.includes(name))]).toEqual(['listingByLocalAuthority']);
  });
});

describe('the index flags', () => {
  const settingsOf = (context: Record<string, unknown>) => stageSettingsFromContext(newApp({ stage: 'dev', ...context }).node);

  it('default to the tables exactly as defined', () => {
    expect(settingsOf({}).indexes).toEqual({ legacy: {}, pending: {} });
  });

  it('name indexes by table', () => {
    expect(settingsOf({ legacyIndexes: 'byProvider, byCountry', pendingIndexes: 'listingByCountry' }).indexes).toEqual({
      legacy: { locations: ['byProvider', 'byCountry'] },
      pending: { locations: ['listingByCountry'] },
    });
    expect(settingsOf({ pendingIndexes: 'memberships/byLocation' }).indexes.pending).toEqual({ memberships: ['byLocation'] });
  });

  it('refuse a name that is no such index, or that more than one table has', () => {
    expect(() => settingsOf({ legacyIndexes: 'listingByRegion' })).toThrow(/-c legacyIndexes: "listingByRegion" is not an index an earlier version defined/);
    expect(() => settingsOf({ pendingIndexes: 'byNothing' })).toThrow(/-c pendingIndexes: "byNothing" is not an index of shared\/model\/tables.ts/);
    expect(() => settingsOf({ pendingIndexes: 'byLocation' })).toThrow(/is in registrations and memberships: name it as table\/index/);
  });
});
