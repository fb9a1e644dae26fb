import { HttpMethod, HttpRoute, HttpRouteKey, type HttpApi, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RouteDefinition } from '../../shared/routes';

export interface RouteTarget {
  route: RouteDefinition;
  handler: IFunction;
}

/** Public routes never get the authorizer: health and the OpenAPI document must answer without a token. */
export function addRoutes(api: HttpApi, targets: readonly RouteTarget[], authorizer?: IHttpRouteAuthorizer): void {
  for (const { route, handler } of targets) {
    api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.id}Integration`, handler),
      ...(authorizer && route.access !== 'public' ? { authorizer } : {}),
    });
  }
}

/** Unauthorized on purpose: a wrong path gets the same problem+json 404 with or without a token. */
export function addFallbackRoute(api: HttpApi, handler: IFunction): void {
  new HttpRoute(api, 'DefaultRoute', {
    httpApi: api,
    routeKey: HttpRouteKey.DEFAULT,
    integration: new HttpLambdaIntegration('DefaultIntegration', handler),
  });
}
