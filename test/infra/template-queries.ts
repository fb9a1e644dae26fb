import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export function resourceById(template: Template, logicalId: string): CfnResource {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const found = resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template`);
  return found;
}

/** Like hasResource, for one logical id; finishing the match is what makes its Captures hold values. */
export function matchResource(template: Template, logicalId: string, pattern: Record<string, unknown>): void {
  const result = Match.objectLike(pattern).test(resourceById(template, logicalId));
  if (result.hasFailed()) throw new Error(`${logicalId} does not match:\n${result.toHumanStrings().join('\n')}`);
  result.finished();
}

/** Follows route → integration → function, so a test proves which function really serves a route key. */
export function functionBehindRoute(template: Template, routeKey: string): string {
  const integration = new Capture();
  template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
    RouteKey: routeKey,
    Target: { 'Fn::Join': ['', ['integrations/', { Ref: integration }]] },
  });
  const fn = new Capture();
  matchResource(template, integration.asString(), {
    Type: 'AWS::ApiGatewayV2::Integration',
    Properties: { IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': [fn, 'Arn'] } },
  });
  return fn.asString();
}

export function roleOfFunction(template: Template, functionId: string): string {
  const role = new Capture();
  matchResource(template, functionId, { Properties: { Role: { 'Fn::GetAtt': [role, 'Arn'] } } });
  return role.asString();
}

export function statementsOfRole(template: Template, roleId: string): PolicyStatement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  }) as Record<string, { Properties: { PolicyDocument: { Statement: PolicyStatement[] } } }>;
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

export function actionsOf(statement: PolicyStatement): string[] {
  return typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
}

export function environmentOf(template: Template, functionId: string): Record<string, unknown> {
  const environment = resourceById(template, functionId).Properties.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

/** The logical id CloudFormation gives the L1 resource behind an L2 construct. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Does a template value mention a resource, by Ref, GetAtt or a cross-stack import of either? */
export function mentions(value: unknown, logicalId: string): boolean {
  return JSON.stringify(value ?? null).includes(logicalId);
}

export function resourcesOfType(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}

/** The one resource of a type, by logical id; fails when there are none or several. */
export function onlyResource(template: Template, type: string): [string, CfnResource] {
  const found = Object.entries(resourcesOfType(template, type));
  if (found.length !== 1 || !found[0]) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The roles of every IAM policy in the template that has a statement whose resource mentions logicalId. */
export function rolesGrantedOn(template: Template, logicalId: string): string[] {
  const policies = resourcesOfType(template, 'AWS::IAM::Policy');
  return Object.values(policies).flatMap((policy) => {
    const properties = policy.Properties as { PolicyDocument: { Statement: PolicyStatement[] }; Roles: { Ref: string }[] };
    return properties.PolicyDocument.Statement.some((statement) => mentions(statement.Resource, logicalId))
      ? properties.Roles.map((role) => role.Ref)
      : [];
  });
}
