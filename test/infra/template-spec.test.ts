import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCapacityTracker } from '#infra/capacity-tracker';
import { loadSpecDatabase, validateTemplate, type SpecDatabase, type TemplateProblem } from '#infra/validation/template-spec';
import { DEPLOYABLE_SETTINGS } from './synth';

// One synth per stage costs seconds, and loading the resource database about half a second.
const SYNTH_TIMEOUT = 120_000;

let db: SpecDatabase;
beforeAll(() => {
  db = loadSpecDatabase();
}, SYNTH_TIMEOUT);

const ROLE = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
  },
};

/** A small valid template: a function, its role and queue, wired together with intrinsics. */
function validTemplate(): Record<string, any> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { Stage: { Type: 'String', Default: 'dev' } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    },
    Mappings: { Sizes: { dev: { Memory: 256 }, prod: { Memory: 1024 } } },
    Resources: {
      Role: ROLE,
      Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
      Fn: {
        Type: 'AWS::Lambda::Function',
        DependsOn: ['Role'],
        Properties: {
          Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: 'exports.handler = async () => {}' },
          MemorySize: { 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] },
          Timeout: '30', // CloudFormation accepts numeric strings for numbers
          Environment: {
            Variables: {
              QUEUE_URL: { Ref: 'Queue' },
              QUEUE_ARN: { 'Fn::GetAtt': 'Queue.Arn' },
              REGION: { 'Fn::Sub': 'eu-west-2 in ${AWS::Region}, queue ${Queue.QueueName}, literal ${!NotARef}' },
              PEER: { 'Fn::ImportValue': 'Other-Stack:Export' },
              FIRST: { 'Fn::Select': [0, { 'Fn::Split': [',', 'a,b'] }] },
              MODE: { 'Fn::If': ['IsProd', 'prod', { Ref: 'AWS::NoValue' }] },
              NAME: { 'Fn::Sub': ['${Prefix}-fn', { Prefix: { Ref: 'AWS::StackName' } }] },
              COUNT: 3, // CloudFormation turns numbers into strings
            },
          },
          TracingConfig: { 'Fn::If': ['IsProd', { Mode: 'Active' }, { Ref: 'AWS::NoValue' }] },
          Tags: [{ Key: 'stage', Value: { Ref: 'Stage' } }],
        },
      },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'Fn' }, EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Enabled: 'true', BatchSize: 10 },
      },
      Cleanup: { Type: 'Custom::Cleanup', Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Anything: { Goes: ['here'] } } },
      CfnStyle: { Type: 'AWS::CloudFormation::CustomResource', Condition: 'IsNotProd', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-2:1:function:x', Free: 1 } },
    },
    Outputs: {
      QueueUrl: { Value: { Ref: 'Queue' } },
      CleanupResult: { Value: { 'Fn::GetAtt': ['Cleanup', 'AnyAttributeAtAll'] }, Condition: 'IsProd' },
    },
  };
}

function problemsOf(template: object): TemplateProblem[] {
  return validateTemplate(template, db);
}

function withChange(change: (template: Record<string, any>) => void): Record<string, any> {
  const template = validTemplate();
  change(template);
  return template;
}

describe('validateTemplate on hand-written templates', () => {
  it('passes a valid template full of intrinsics, custom resources and CloudFormation’s scalar conversions', () => {
    expect(problemsOf(validTemplate())).toEqual([]);
  });

  it('does not change the template', () => {
    const template = validTemplate();
    const before = JSON.stringify(template);
    problemsOf(template);
    expect(JSON.stringify(template)).toBe(before);
  });

  it('reports an unknown resource type', () => {
    const problems = problemsOf(withChange((t) => (t.Resources.Thing = { Type: 'AWS::Lambda::Functoin', Properties: {} })));
    expect(problems).toEqual([{ logicalId: 'Thing', path: 'Resources.Thing.Type', message: 'unknown resource type AWS::Lambda::Functoin' }]);
  });

  it('reports an unknown top-level property, suggesting the right spelling', () => {
    const problems = problemsOf(withChange((t) => (t.Resources.Fn.Properties.memorySize = 128)));
    expect(problems).toEqual([{ logicalId: 'Fn', path: 'Resources.Fn.Properties.memorySize', message: 'unknown property memorySize (did you mean MemorySize?)' }]);
  });

  it('reports a missing required property', () => {
    const problems = problemsOf(withChange((t) => delete t.Resources.Fn.Properties.Role));
    expect(problems).toEqual([{ logicalId: 'Fn', path: 'Resources.Fn.Properties.Role', message: 'required property Role is missing' }]);
  });

  it('reports a missing required property of a nested type, and of a Tag', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Alarm = {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, Dimensions: [{ Name: 'QueueName' }] },
        };
        t.Resources.Fn.Properties.Tags = [{ Key: 'stage' }];
      }),
    );
    expect(problems).toEqual([
      { logicalId: 'Fn', path: 'Resources.Fn.Properties.Tags[0].Value', message: 'required property Value is missing' },
      { logicalId: 'Alarm', path: 'Resources.Alarm.Properties.Dimensions[0].Value', message: 'required property Value is missing' },
    ]);
  });

  it('reports wrong primitive types that CloudFormation cannot convert', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Mapping.Properties.Enabled = 'yes';
        t.Resources.Mapping.Properties.BatchSize = 'ten';
        t.Resources.Queue.Properties.MessageRetentionPeriod = 1.5;
        t.Resources.Fn.Properties.Handler = { name: 'index.handler' };
      }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['Resources.Queue.Properties.MessageRetentionPeriod', 'expected integer, got number 1.5'],
      ['Resources.Fn.Properties.Handler', 'expected string, got an object'],
      ['Resources.Mapping.Properties.Enabled', 'expected boolean, got string "yes"'],
      ['Resources.Mapping.Properties.BatchSize', 'expected integer, got string "ten"'],
    ]);
  });

  it('reports a list where an object belongs, an object where a list belongs, and a non-string map value', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Fn.Properties.Architectures = 'arm64';
        t.Resources.Fn.Properties.TracingConfig = [{ Mode: 'Active' }];
        t.Resources.Fn.Properties.Environment.Variables.NESTED = { a: 1 };
      }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['Resources.Fn.Properties.Environment.Variables.NESTED', 'expected string, got an object'],
      ['Resources.Fn.Properties.TracingConfig', 'expected TracingConfig (an object), got a list'],
      ['Resources.Fn.Properties.Architectures', 'expected a list of string, got string "arm64"'],
    ]);
  });

  it('reports an unknown property inside a nested property type', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Fn.Properties.Environment.Variabels = {};
        t.Resources.Fn.Properties.Code.S3Bukket = 'assets';
        t.Resources.Fn.Properties.Tags[0].Colour = 'blue';
      }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['Resources.Fn.Properties.Code.S3Bukket', 'unknown property S3Bukket (did you mean S3Bucket?)'],
      ['Resources.Fn.Properties.Environment.Variabels', 'unknown property Variabels (did you mean Variables?)'],
      ['Resources.Fn.Properties.Tags[0].Colour', 'unknown property Colour'],
    ]);
  });

  it('reports an Fn::GetAtt attribute the target type does not have, in either form and in Fn::Sub', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Fn.Properties.Role = { 'Fn::GetAtt': ['Role', 'Arm'] };
        t.Resources.Fn.Properties.Environment.Variables.QUEUE_ARN = { 'Fn::GetAtt': 'Queue.Name' };
        t.Outputs.Sub = { Value: { 'Fn::Sub': '${Queue.Url}' } };
      }),
    );
    expect(problems.map((p) => [p.logicalId, p.path, p.message])).toEqual([
      ['Fn', 'Resources.Fn.Properties.Role.Fn::GetAtt', 'Fn::GetAtt Role.Arm: AWS::IAM::Role has no attribute Arm (it has Arn, RoleId)'],
      ['Fn', 'Resources.Fn.Properties.Environment.Variables.QUEUE_ARN.Fn::GetAtt', 'Fn::GetAtt Queue.Name: AWS::SQS::Queue has no attribute Name (it has Arn, QueueName, QueueUrl)'],
      ['Sub', 'Outputs.Sub.Value.Fn::Sub', 'Fn::GetAtt Queue.Url: AWS::SQS::Queue has no attribute Url (it has Arn, QueueName, QueueUrl)'],
    ]);
  });

  it('reports dangling references: Ref, Fn::GetAtt, Fn::Sub, DependsOn, conditions and mappings', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Mapping.Properties.FunctionName = { Ref: 'Function' };
        t.Resources.Mapping.Properties.EventSourceArn = { 'Fn::GetAtt': ['Stage', 'Arn'] };
        t.Resources.Fn.Properties.Environment.Variables.REGION = { 'Fn::Sub': '${AWS::Regoin}-${Missing}' };
        t.Resources.Fn.Properties.Environment.Variables.MODE = { 'Fn::If': ['IsProduction', 'a', 'b'] };
        t.Resources.Fn.Properties.MemorySize = { 'Fn::FindInMap': ['Size', 'dev', 'Memory'] };
        t.Resources.Fn.DependsOn = ['Role', 'Rolle'];
        t.Resources.Queue.Condition = 'IsStaging';
        t.Conditions.IsNotProd = { 'Fn::Not': [{ Condition: 'IsProduction' }] };
        t.Outputs.Gone = { Value: { Ref: 'Gone' } };
        t.Outputs.CleanupResult.Condition = 'IsLive';
      }),
    );
    expect(problems.map((p) => [p.logicalId, p.path, p.message])).toEqual([
      ['Queue', 'Resources.Queue.Condition', 'Condition string "IsStaging": no such condition'],
      ['Fn', 'Resources.Fn.DependsOn[1]', 'DependsOn Rolle: no such resource'],
      ['Fn', 'Resources.Fn.Properties.MemorySize.Fn::FindInMap', 'Fn::FindInMap map Size: no such mapping'],
      ['Fn', 'Resources.Fn.Properties.Environment.Variables.REGION.Fn::Sub', 'Fn::Sub reference to AWS::Regoin: no such resource, parameter or pseudo parameter'],
      ['Fn', 'Resources.Fn.Properties.Environment.Variables.REGION.Fn::Sub', 'Fn::Sub reference to Missing: no such resource, parameter or pseudo parameter'],
      ['Fn', 'Resources.Fn.Properties.Environment.Variables.MODE.Fn::If', 'Fn::If condition IsProduction: no such condition'],
      ['Mapping', 'Resources.Mapping.Properties.FunctionName.Ref', 'Ref to Function: no such resource, parameter or pseudo parameter'],
      ['Mapping', 'Resources.Mapping.Properties.EventSourceArn.Fn::GetAtt', 'Fn::GetAtt target Stage: a parameter, not a resource'],
      ['CleanupResult', 'Outputs.CleanupResult.Condition', 'Condition string "IsLive": no such condition'],
      ['Gone', 'Outputs.Gone.Value.Ref', 'Ref to Gone: no such resource, parameter or pseudo parameter'],
      ['IsNotProd', 'Conditions.IsNotProd.Fn::Not[0].Condition', 'Condition IsProduction: no such condition'],
    ]);
  });

  it('checks references even inside intrinsics it does not type-check', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Fn.Properties.Environment.Variables.FIRST = { 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'Nowhere' }] }] };
      }),
    );
    expect(problems.map((p) => p.message)).toEqual(['Ref to Nowhere: no such resource, parameter or pseudo parameter']);
  });

  it('asks a custom resource only for its ServiceToken', () => {
    const problems = problemsOf(withChange((t) => delete t.Resources.Cleanup.Properties.ServiceToken));
    expect(problems).toEqual([{ logicalId: 'Cleanup', path: 'Resources.Cleanup.Properties.ServiceToken', message: 'required property ServiceToken is missing' }]);
  });

  it('reports unknown resource attributes and policies, and unknown template sections', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.Resources.Queue.DeletionPolicy = 'Keep';
        t.Resources.Queue.Propertes = {};
        t.Output = {};
      }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['Output', 'unknown template section Output'],
      ['Resources.Queue.Propertes', 'unknown resource attribute Propertes (did you mean Properties?)'],
      ['Resources.Queue.DeletionPolicy', 'DeletionPolicy must be one of Delete, Retain, RetainExceptOnCreate, Snapshot, got string "Keep"'],
    ]);
  });

  it('accepts a union-typed property in any of its forms, and says which forms it takes otherwise', () => {
    const schema = (value: unknown) => ({ Resources: { Model: { Type: 'AWS::ApiGateway::Model', Properties: { RestApiId: 'abc', Schema: value } } } });
    expect(problemsOf(schema({ type: 'object' }))).toEqual([]);
    expect(problemsOf(schema('{"type":"object"}'))).toEqual([]);
    const keySchema = (value: unknown) => ({ Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: value } } } });
    expect(problemsOf(keySchema([{ AttributeName: 'id', KeyType: 'HASH' }]))).toEqual([]);
    // boolean | CorsConfigurationObject
    const cors = (value: unknown) => ({
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: { Api: { Type: 'AWS::Serverless::HttpApi', Properties: { CorsConfiguration: value } } },
    });
    expect(problemsOf(cors(true))).toEqual([]);
    expect(problemsOf(cors({ AllowOrigins: ['https://example.org'] }))).toEqual([]);
    expect(problemsOf(cors(['*'])).map((p) => p.message)).toEqual(['expected boolean | CorsConfigurationObject, got a list']);
    expect(problemsOf(cors({ AllowOrigin: ['*'] })).map((p) => [p.path, p.message])).toEqual([
      ['Resources.Api.Properties.CorsConfiguration.AllowOrigin', 'unknown property AllowOrigin (did you mean AllowOrigins?)'],
    ]);
  });

  it('passes a template CDK synthesizes from L2 constructs', () => {
    const stack = new Stack(new App(), 'Small');
    new Queue(stack, 'Queue');
    expect(problemsOf(Template.fromStack(stack).toJSON())).toEqual([]);
  });
});

describe.each(['dev', 'prod'] as const)('the %s stage synthesizes templates the resource database accepts', (stage) => {
  let templates: Record<string, object>;
  beforeAll(() => {
    // A stage other than dev refuses the placeholder sender domain and address (infra/stage.ts).
    const settings = stage === 'dev' ? {} : DEPLOYABLE_SETTINGS;
    const stacks = buildCapacityTracker(new App({ context: { 'aws:cdk:bundling-stacks': [], stage, ...settings } }));
    templates = Object.fromEntries(Object.values(stacks).map((stack) => [stack.stackName, Template.fromStack(stack).toJSON()]));
  }, SYNTH_TIMEOUT);

  it('has its three stacks', () => {
    expect(Object.keys(templates).sort()).toEqual([`CapacityTracker-${stage}-Api`, `CapacityTracker-${stage}-Data`, `CapacityTracker-${stage}-Edge`]);
  });

  it.each(['Api', 'Data', 'Edge'])('%s: no problems', (name) => {
    const template = templates[`CapacityTracker-${stage}-${name}`]!;
    expect(Object.keys((template as { Resources: object }).Resources).length).toBeGreaterThan(0);
    expect(validateTemplate(template, db)).toEqual([]);
  });
});
