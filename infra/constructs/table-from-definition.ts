import {
  AttributeType,
  ProjectionType,
  StreamViewType,
  TableV2,
  type Attribute,
  type GlobalSecondaryIndexPropsV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { IndexDefinition, KeyAttribute, TableDefinition, TableId } from '#shared/model/tables';
import type { StageSettings } from '../stage';

const attributeTypes = { S: AttributeType.STRING, N: AttributeType.NUMBER } as const;
const projections = { ALL: ProjectionType.ALL, KEYS_ONLY: ProjectionType.KEYS_ONLY } as const;
const streams = { NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES } as const;

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: attributeTypes[key.type] };
}

/** ALL, KEYS_ONLY, or INCLUDE with the named attributes. */
type Projection = keyof typeof projections | { include: readonly string[] };

function projection(kind: Projection): Pick<GlobalSecondaryIndexPropsV2, 'projectionType' | 'nonKeyAttributes'> {
  return typeof kind === 'string'
    ? { projectionType: projections[kind] }
    : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...kind.include] };
}

function globalIndex(index: IndexDefinition): GlobalSecondaryIndexPropsV2 {
  return {
    indexName: index.indexName,
    partitionKey: attribute(index.partitionKey),
    ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
    ...projection(index.projection),
  };
}

/**
 * The indexes a deploy gives the table: those defined, less any held back (`pending`), then the legacy
 * ones it keeps for now (docs/operations.md, "Changing an index": CloudFormation creates or deletes one
 * index per update, so a replaced index goes in steps).
 */
export function deployedIndexes(definition: TableDefinition, stages: { legacy?: readonly string[] | undefined; pending?: readonly string[] | undefined } = {}): IndexDefinition[] {
  return [
    ...definition.indexes.filter((index) => !stages.pending?.includes(index.indexName)),
    ...(definition.legacyIndexes ?? []).filter((index) => stages.legacy?.includes(index.indexName)),
  ];
}

/** Table names are left to CloudFormation so a replacement never collides with the table it replaces. */
export function tableFromDefinition(scope: Construct, id: string, definition: TableDefinition, settings: StageSettings, tableId: TableId): TableV2 {
  const stages = { legacy: settings.indexes.legacy[tableId], pending: settings.indexes.pending[tableId] };
  return new TableV2(scope, id, {
    partitionKey: attribute(definition.partitionKey),
    ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
    globalSecondaryIndexes: deployedIndexes(definition, stages).map(globalIndex),
    ...(definition.stream ? { dynamoStream: streams[definition.stream] } : {}),
    ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: settings.deletionProtection,
    removalPolicy: settings.removalPolicy,
  });
}
