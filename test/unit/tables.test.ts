import { describe, expect, test } from 'vitest';
import { createTableInput, TABLE_IDS, tables, type TableDefinition } from '#shared/model/tables';

const definitions = TABLE_IDS.map((id) => [id, tables[id] as TableDefinition] as const);

describe('createTableInput', () => {
  test('the locations and returns tables are defined', () => {
    expect(TABLE_IDS).toEqual(expect.arrayContaining(['locations', 'returns', 'returnVersions']));
  });

  describe.each(definitions)('%s', (id, definition) => {
    const input = createTableInput(definition, `test-${id}`);

    test('is named as asked and billed per request', () => {
      expect(input.TableName).toBe(`test-${id}`);
      expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    });

    test('has the partition (and sort) key of the definition', () => {
      expect(input.KeySchema).toEqual([
        { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
        ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
    });

    test('defines every key attribute once, with its type, and nothing else', () => {
      const keyAttributes = [
        definition.partitionKey,
        ...(definition.sortKey ? [definition.sortKey] : []),
        ...definition.indexes.flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]),
      ];
      const names = input.AttributeDefinitions.map((a) => a.AttributeName);
      expect(new Set(names).size).toBe(names.length);
      expect(new Set(names)).toEqual(new Set(keyAttributes.map((a) => a.name)));
      for (const attribute of keyAttributes) {
        expect(input.AttributeDefinitions).toContainEqual({ AttributeName: attribute.name, AttributeType: attribute.type });
      }
    });

    test('every defined attribute is used by a key schema (DynamoDB refuses unused definitions)', () => {
      const used = new Set([
        ...input.KeySchema.map((k) => k.AttributeName),
        ...(('GlobalSecondaryIndexes' in input ? input.GlobalSecondaryIndexes : undefined) ?? []).flatMap((gsi) => gsi.KeySchema.map((k) => k.AttributeName)),
      ]);
      for (const attribute of input.AttributeDefinitions) expect(used).toContain(attribute.AttributeName);
    });

    test('has one global secondary index per index in the definition', () => {
      const gsis = 'GlobalSecondaryIndexes' in input ? input.GlobalSecondaryIndexes : undefined;
      if (definition.indexes.length === 0) {
        expect(gsis).toBeUndefined();
        return;
      }
      expect(gsis).toEqual(
        definition.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
          ],
          Projection:
            typeof index.projection === 'string'
              ? { ProjectionType: index.projection }
              : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.include] },
        })),
      );
    });
  });

  test('the returns table streams new and old images (the aggregates read it)', () => {
    expect(createTableInput(tables.returns, 'r')).toMatchObject({ StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });

  test('locations and returnVersions have no stream', () => {
    expect('StreamSpecification' in createTableInput(tables.locations, 'l')).toBe(false);
    expect('StreamSpecification' in createTableInput(tables.returnVersions, 'v')).toBe(false);
  });

  test('a table defines a stream exactly when its definition asks for one', () => {
    for (const [id, definition] of definitions) {
      const input = createTableInput(definition, id);
      expect('StreamSpecification' in input, id).toBe(definition.stream !== undefined);
    }
  });

  test('locations has three keys-only listing indexes by listingKey, three sparse active indexes by freshness and a sparse one of pauses by end date, each attribute defined once', () => {
    const input = createTableInput(tables.locations, 'l');
    const gsis = ('GlobalSecondaryIndexes' in input ? input.GlobalSecondaryIndexes : undefined) ?? [];
    expect(gsis.map((g) => [g.IndexName, g.KeySchema.map((k) => k.AttributeName)])).toEqual([
      ['listingByLocalAuthority', ['localAuthority', 'listingKey']],
      ['listingByRegion', ['region', 'listingKey']],
      ['listingByCountry', ['country', 'listingKey']],
      ['activeByLocalAuthority', ['activeLocalAuthority', 'freshness']],
      ['activeByRegion', ['activeRegion', 'freshness']],
      ['activeByCountry', ['activeCountry', 'freshness']],
      ['pausedByCountry', ['pausedCountry', 'pausedUntil']],
    ]);
    // Issue 20: a save moves lastUpdated and the latest-return copies, never a listing key, so it writes
    // none of the listing indexes.
    for (const gsi of gsis.slice(0, 3)) expect(gsi.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
    // The active indexes carry the areas, so completeness can group one read by authority or region;
    // England's also carries what a reminder needs, so the hourly run reads nothing else.
    for (const gsi of gsis.slice(3, 6)) expect(gsi.Projection?.NonKeyAttributes).toEqual(expect.arrayContaining(['localAuthority', 'region']));
    expect(gsis[5]!.Projection?.NonKeyAttributes).toEqual(expect.arrayContaining(['name', 'providerId', 'contactEmail']));
    expect(input.AttributeDefinitions.filter((a) => a.AttributeName === 'listingKey')).toHaveLength(1);
    expect(input.AttributeDefinitions.filter((a) => a.AttributeName === 'freshness')).toHaveLength(1);
    expect(input.AttributeDefinitions).toHaveLength(11);
    expect(input.KeySchema).toEqual([{ AttributeName: 'locationId', KeyType: 'HASH' }]);
  });

  test('the listing indexes locations had before issue 20 are kept as legacy indexes, never created locally', () => {
    expect(tables.locations.legacyIndexes.map((index) => [index.indexName, index.projection])).toEqual([
      ['byLocalAuthority', 'ALL'],
      ['byRegion', 'ALL'],
      ['byCountry', 'ALL'],
      ['byProvider', 'ALL'],
    ]);
    const names = (createTableInput(tables.locations, 'l').GlobalSecondaryIndexes ?? []).map((index) => index.IndexName);
    for (const legacy of tables.locations.legacyIndexes) expect(names).not.toContain(legacy.indexName);
  });

  test('returns and returnVersions are keyed by location then day / version', () => {
    expect(createTableInput(tables.returns, 'r').KeySchema.map((k) => k.AttributeName)).toEqual(['locationId', 'reportDate']);
    expect(createTableInput(tables.returnVersions, 'v').KeySchema.map((k) => k.AttributeName)).toEqual(['locationId', 'versionKey']);
  });
});
