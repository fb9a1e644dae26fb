import { CfnOutput, CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { fallbackRoute, routes, type RouteDefinition, type TableAccess } from '../../shared/routes';
import { tables as tableDefinitions, type TableId } from '../../shared/tables';
import { addFallbackRoute, addRoutes } from '../constructs/api-routes';
import { HouseFunction } from '../constructs/house-function';
import type { StageSettings } from '../stage';

export interface ApiStackProps extends StackProps {
  settings: StageSettings;
  tables: Record<TableId, ITableV2>;
}

interface FunctionSpec {
  id: string;
  handler: string;
  description: string;
  tables: Partial<Record<TableId, TableAccess>>;
}

/** Stateless: functions and the HTTP API, rebuilt freely; the tables come in from the data stack. */
export class ApiStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Strong on purpose: CloudFormation then refuses to delete the data stack while this stack uses its tables.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `capacity-tracker-${props.settings.stage}`,
      description: `Capacity Tracker API (${props.settings.stage})`,
    });

    const routeTable: readonly RouteDefinition[] = routes;
    addRoutes(
      this.api,
      routeTable.map((route) => ({
        route,
        handler: this.houseFunction({ ...route, description: `${route.method} ${route.path}` }, props),
      })),
    );
    addFallbackRoute(this.api, this.houseFunction({ ...fallbackRoute, description: 'unmatched requests' }, props));

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the HTTP API' });
  }

  private houseFunction(spec: FunctionSpec, props: ApiStackProps): IFunction {
    const fn = new HouseFunction(this, pascal(spec.id), {
      entry: spec.handler,
      description: spec.description,
      logLevel: props.settings.logLevel,
      logRemovalPolicy: props.settings.removalPolicy,
    });
    for (const [tableId, access] of tableBindings(spec.tables)) {
      fn.bindTable(props.tables[tableId], access, tableDefinitions[tableId].envVar);
    }
    return fn.function;
  }
}

function tableBindings(map: Partial<Record<TableId, TableAccess>>): [TableId, TableAccess][] {
  return Object.entries(map).flatMap(([tableId, access]) => (access ? [[tableId as TableId, access]] : []));
}

function pascal(id: string): string {
  return `${id.charAt(0).toUpperCase()}${id.slice(1)}`;
}
