import { HttpMethod, HttpRoute, HttpRouteKey, type HttpApi, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RouteDefinition } from '#shared/model/routes';
import { acknowledge } from '../nag';

export interface RouteTarget {
  route: RouteDefinition;
  handler: IFunction;
}

/** Public routes never get the authorizer: health and the OpenAPI document must answer without a token. */
export function addRoutes(api: HttpApi, targets: readonly RouteTarget[], authorizer?: IHttpRouteAuthorizer): void {
  for (const { route, handler } of targets) {
    const added = api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.id}Integration`, handler),
      ...(authorizer && route.access !== 'public' ? { authorizer } : {}),
    });
    if (route.access === 'public') {
      for (const httpRoute of added) {
        acknowledge(httpRoute, { 'AwsSolutions-APIG4': `${route.method} ${route.path} is public by design (DESIGN §4): it serves no data and no caller identity` });
      }
    }
  }
}

/** Unauthorized on purpose: a wrong path gets the same problem+json 404 with or without a token. */
export function addFallbackRoute(api: HttpApi, handler: IFunction): void {
  const route = new HttpRoute(api, 'DefaultRoute', {
    httpApi: api,
    routeKey: HttpRouteKey.DEFAULT,
    integration: new HttpLambdaIntegration('DefaultIntegration', handler),
  });
  acknowledge(route, { 'AwsSolutions-APIG4': '$default only answers 404 problem+json for paths the API does not have; it reads nothing' });
}
