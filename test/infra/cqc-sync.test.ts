import { beforeAll, describe, expect, it } from 'vitest';
import { cqcSyncFunction } from '#shared/model/functions';
import { schedules } from '#shared/model/schedules';
import { CQC_API_KEY_SECRET_OUTPUT, CQC_API_PRODUCTION_URL } from '#shared/model/settings';
import { TABLE_IDS, tables, type TableId } from '#shared/model/tables';
import { synthStage, SYNTH_TIMEOUT, type SynthesizedStage } from './synth';
import {
  actionsOf,
  environmentOf,
  logicalIdOf,
  matchResource,
  mentions,
  resourceById,
  resourcesOfType,
  roleOfFunction,
  rolesGrantedOn,
  statementsOfRole,
  type PolicyStatement,
} from './template-queries';

/**
 * The daily CQC sync as deployed: its schedule, the secret holding the CQC API key (which only it may
 * read), and a role that may do what the sync does and nothing more.
 */
describe('the CQC sync', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: SynthesizedStage;
  let fn: string;
  let role: string;
  let secret: string;
  let statements: PolicyStatement[];
  const tableId = (id: TableId) => logicalIdOf(dev.stacks.data.tables[id]);
  const tablesIn = (statement: PolicyStatement) => TABLE_IDS.filter((id) => mentions(statement.Resource, tableId(id)));

  beforeAll(() => {
    dev = synthStage('dev');
    fn = logicalIdOf(dev.stacks.api.cqcSyncFunction.function);
    role = roleOfFunction(dev.api, fn);
    secret = logicalIdOf(dev.stacks.data.cqcApiKeySecret);
    statements = statementsOfRole(dev.api, role);
  });

  it('is the function of its definition, one run at a time, with 15 minutes', () => {
    expect(dev.stacks.api.functions[cqcSyncFunction.id]).toBe(dev.stacks.api.cqcSyncFunction);
    matchResource(dev.api, fn, { Properties: { Timeout: 900, MemorySize: 512, ReservedConcurrentExecutions: 1 } });
  });

  it('runs daily on the shared schedule, targeting the sync function, retried once', () => {
    const rules = Object.values(resourcesOfType(dev.api, 'AWS::Events::Rule')).filter((rule) => mentions(rule.Properties.Targets, fn));
    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties).toMatchObject({ ScheduleExpression: schedules.cqcSync.expression, State: 'ENABLED' });
    // Daily: a fixed minute and hour, every day of every month.
    expect(schedules.cqcSync.expression).toMatch(/^cron\(\d{1,2} \d{1,2} \* \* \? \*\)$/);
    expect(rules[0]!.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 1 } })]);
    // EventBridge, and only it, may invoke it.
    const permissions = Object.values(resourcesOfType(dev.api, 'AWS::Lambda::Permission')).filter((p) => mentions(p.Properties.FunctionName, fn));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
  });

  it('alarms when a run fails', () => {
    const alarm = resourceById(dev.api, logicalIdOf(dev.stacks.api.cqcSync.errorAlarm));
    expect(alarm.Properties).toMatchObject({ MetricName: 'Errors', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(mentions(alarm.Properties.Dimensions, fn)).toBe(true);
    expect(dev.stacks.api.monitoring.alarms).toContain(dev.stacks.api.cqcSync.errorAlarm);
  });

  it('has the key in a secret of the data stack, named by an output, kept with a prod stack', () => {
    matchResource(dev.data, secret, { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Delete' });
    dev.data.hasOutput(CQC_API_KEY_SECRET_OUTPUT, { Value: { Ref: secret } });
    const prod = synthStage('prod');
    matchResource(prod.data, logicalIdOf(prod.stacks.data.cqcApiKeySecret), { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('is told the CQC API and where the key is, and nothing else but its tables', () => {
    const environment = environmentOf(dev.api, fn);
    expect(environment.CQC_API_BASE_URL).toBe(CQC_API_PRODUCTION_URL);
    expect(environment.CQC_API_KEY_SECRET_ARN).toEqual({ 'Fn::ImportValue': expect.stringContaining(secret) });
    expect(Object.keys(environment).filter((name) => !name.startsWith('POWERTOOLS_') && name !== 'NODE_OPTIONS').sort()).toEqual(
      ['CQC_API_BASE_URL', 'CQC_API_KEY_SECRET_ARN', ...Object.keys(cqcSyncFunction.tables).map((id) => tables[id as TableId].envVar)].sort(),
    );
  });

  it('may read the CQC API key, and no other secret', () => {
    const secretStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')));
    expect(secretStatements.flatMap(actionsOf)).toContain('secretsmanager:GetSecretValue');
    for (const statement of secretStatements) {
      expect(statement.Resource).toEqual({ 'Fn::ImportValue': expect.stringContaining(secret) });
      expect(actionsOf(statement).every((action) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].includes(action))).toBe(true);
    }
    expect(statements.filter((statement) => mentions(statement.Resource, logicalIdOf(dev.stacks.data.updateLinkSecret)))).toEqual([]);
  });

  it('is the only function that may read the CQC API key, or is told where it is', () => {
    expect(rolesGrantedOn(dev.api, secret)).toEqual([role]);
    dev.data.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    const told = Object.entries(resourcesOfType(dev.api, 'AWS::Lambda::Function')).filter(([, other]) => mentions(other.Properties.Environment, secret));
    expect(told.map(([id]) => id)).toEqual([fn]);
  });

  it('reads the directory and the areas, writes locations only by batch put and field update, and its checkpoint only by put', () => {
    const dynamo = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(new Set(dynamo.flatMap(tablesIn))).toEqual(new Set(['locations', 'areas', 'syncCheckpoints']));
    const actionsOn = (id: TableId) => dynamo.filter((statement) => tablesIn(statement).includes(id)).flatMap(actionsOf).sort();
    // Reads as it makes them: the batch of stored locations, the checkpoint by key, the areas of a level.
    expect(actionsOn('locations')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem']);
    expect(actionsOn('syncCheckpoints')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(actionsOn('areas')).toEqual(['dynamodb:Query']);
    // Writes reach the tables themselves, never an index; nothing scans or deletes.
    for (const statement of dynamo.filter((s) => actionsOf(s).some((a) => /Put|Update|Write/.test(a)))) expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
    expect(dynamo.flatMap(actionsOf).filter((action) => ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:*'].includes(action))).toEqual([]);
  });

  it('calls another CQC API only when told to (-c cqcApiBaseUrl), and only over https', () => {
    const other = synthStage('dev', { cqcApiBaseUrl: 'https://cqc-proxy.example/public/v1/' });
    expect(environmentOf(other.api, logicalIdOf(other.stacks.api.cqcSyncFunction.function)).CQC_API_BASE_URL).toBe('https://cqc-proxy.example/public/v1');
    expect(() => synthStage('dev', { cqcApiBaseUrl: 'http://cqc.example/public/v1' })).toThrow(/must be an https URL/);
  });
});
