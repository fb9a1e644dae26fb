import { Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE_IDS, tables, type TableId } from '../../shared/tables';
import { tableFromDefinition } from '../constructs/table-from-definition';
import type { StageSettings } from '../stage';

export interface DataStackProps extends StackProps {
  settings: StageSettings;
}

/** Stateful resources only, so the API stack can be torn down and redeployed without touching data. */
export class DataStack extends Stack {
  readonly tables: Record<TableId, TableV2>;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const built = TABLE_IDS.map((tableId) => [tableId, tableFromDefinition(this, constructId(tableId), tables[tableId], props.settings)] as const);
    this.tables = Object.fromEntries(built) as Record<TableId, TableV2>;
  }
}

function constructId(tableId: TableId): string {
  return `${tableId.charAt(0).toUpperCase()}${tableId.slice(1)}Table`;
}
