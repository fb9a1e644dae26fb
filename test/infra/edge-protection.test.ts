import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCapacityTracker, type CapacityTrackerStacks } from '#infra/capacity-tracker';
import { COUNTED_ALWAYS, TOO_MANY_REQUESTS, WAF_RULES } from '#infra/constructs/edge-firewall';
import { EDGE_OUTPUTS, EDGE_REGION } from '#infra/stacks/edge-stack';
import { DEFAULT_WAF_RATE_LIMIT, stageSettingsFromContext } from '#infra/stage';
import { cloudFrontFunctionCode } from '#shared/model/access/bearer-required';
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_STAGE_VARIABLE } from '#shared/model/access/origin-verify';
import { reminderFunction } from '#shared/model/functions';
import { DEPLOYABLE_SETTINGS, newApp, SYNTH_TIMEOUT } from './synth';
import { environmentOf, logicalIdOf, mentions, onlyResource, resourceById, type CfnResource } from './template-queries';

interface Built {
  stacks: CapacityTrackerStacks;
  data: Template;
  api: Template;
  edge: Template;
}

function build(context: Record<string, unknown>, env: { account?: string; region?: string } = {}): Built {
  const stacks = buildCapacityTracker(newApp(context), env);
  return { stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api), edge: Template.fromStack(stacks.edge) };
}

interface WafRule {
  Name: string;
  Priority: number;
  Statement: Record<string, Record<string, unknown>>;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  VisibilityConfig: { CloudWatchMetricsEnabled: boolean; SampledRequestsEnabled: boolean; MetricName: string };
}

const webAclOf = (built: Built) => onlyResource(built.edge, 'AWS::WAFv2::WebACL')[1];
const rulesOf = (built: Built) => webAclOf(built).Properties.Rules as WafRule[];
const ruleNamed = (built: Built, name: string) => {
  const rule = rulesOf(built).find((candidate) => candidate.Name === name);
  if (!rule) throw new Error(`no WAF rule ${name}`);
  return rule;
};

interface DistributionConfig {
  WebACLId: unknown;
  Aliases?: string[];
  ViewerCertificate?: Record<string, unknown>;
  DefaultCacheBehavior: { FunctionAssociations?: unknown[] };
  CacheBehaviors: Array<{ PathPattern: string; TargetOriginId: string; FunctionAssociations?: Array<{ EventType: string; FunctionARN: unknown }> }>;
  Origins: Array<{ Id: string; OriginCustomHeaders?: Array<{ HeaderName: string; HeaderValue: unknown }> }>;
}

const distributionOf = (built: Built) => onlyResource(built.api, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig as DistributionConfig;
const apiBehaviour = (config: DistributionConfig) => {
  const behaviour = config.CacheBehaviors.find((candidate) => candidate.PathPattern === '/v1/*');
  if (!behaviour) throw new Error('no /v1/* behaviour');
  return behaviour;
};

/** Every cdk-nag rule acknowledged anywhere in the app, with its bracketed finding. */
function acknowledged(built: Built): string[] {
  return built.stacks.api.node.root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((key) => key.replace(/^Annotation::/, ''))),
  );
}

describe('in front of the API', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: Built;
  let prod: Built;
  beforeAll(() => {
    dev = build({ stage: 'dev' });
    // Bound to an account and region, as `cdk deploy` binds them: the edge stack is in us-east-1 whatever the stage's region.
    prod = build({ stage: 'prod', wafMode: 'block', wafRateLimit: '2000' }, { account: '123456789012', region: 'eu-west-2' });
  }, SYNTH_TIMEOUT);

  describe('the web ACL', () => {
    it('is a CloudFront web ACL in a stack of its own in us-east-1, on which the Api stack depends', () => {
      expect(dev.stacks.edge.stackName).toBe('CapacityTracker-dev-Edge');
      expect(prod.stacks.edge.region).toBe(EDGE_REGION);
      expect(prod.stacks.edge.account).toBe('123456789012');
      expect(prod.stacks.api.region).toBe('eu-west-2');
      expect(dev.stacks.api.dependencies).toContain(dev.stacks.edge);
      const acl = webAclOf(dev);
      expect(acl.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} }, Name: 'capacity-tracker-dev' });
      dev.edge.hasOutput(EDGE_OUTPUTS.webAclArn, { Value: { 'Fn::GetAtt': [onlyResource(dev.edge, 'AWS::WAFv2::WebACL')[0], 'Arn'] } });
    });

    it('is on the distribution, read from the edge stack at deploy time (no cross-region custom resource)', () => {
      for (const built of [dev, prod]) {
        expect(distributionOf(built).WebACLId).toEqual({
          'Fn::GetStackOutput': { StackName: built.stacks.edge.stackName, OutputName: EDGE_OUTPUTS.webAclArn, Region: 'us-east-1' },
        });
        // CDK's strong cross-region references would add a custom resource (and its Lambda) to each stack.
        expect(Object.values(built.api.toJSON().Resources as Record<string, CfnResource>).some((resource) => resource.Type.startsWith('Custom::CrossRegion'))).toBe(false);
        expect(Object.keys(built.edge.toJSON().Resources as object).length).toBeLessThanOrEqual(3);
      }
    });

    it('has a rate rule per IP address on /v1/*, then the AWS managed common and known-bad-inputs rule groups, each with metrics', () => {
      expect(rulesOf(dev).map((rule) => [rule.Priority, rule.Name])).toEqual([
        [0, WAF_RULES.rateLimit],
        [1, WAF_RULES.common],
        [2, WAF_RULES.knownBadInputs],
      ]);
      expect(ruleNamed(dev, WAF_RULES.rateLimit).Statement.RateBasedStatement).toEqual({
        Limit: DEFAULT_WAF_RATE_LIMIT,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: {
          ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'STARTS_WITH', SearchString: '/v1/', TextTransformations: [{ Priority: 0, Type: 'NONE' }] },
        },
      });
      expect(ruleNamed(dev, WAF_RULES.common).Statement.ManagedRuleGroupStatement).toMatchObject({ VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' });
      expect(ruleNamed(dev, WAF_RULES.knownBadInputs).Statement.ManagedRuleGroupStatement).toEqual({ VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' });
      for (const rule of rulesOf(dev)) expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
      expect(webAclOf(dev).Properties.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true });
    });

    it('only counts by default (-c wafMode=count): no rule blocks', () => {
      expect(ruleNamed(dev, WAF_RULES.rateLimit).Action).toEqual({ Count: {} });
      expect(ruleNamed(dev, WAF_RULES.common).OverrideAction).toEqual({ Count: {} });
      expect(ruleNamed(dev, WAF_RULES.knownBadInputs).OverrideAction).toEqual({ Count: {} });
      expect(JSON.stringify(webAclOf(dev).Properties.Rules)).not.toContain('Block');
    });

    it('blocks with -c wafMode=block: 429 problem body for the rate rule, the groups\' own actions, at the -c wafRateLimit given', () => {
      const rate = ruleNamed(prod, WAF_RULES.rateLimit);
      expect(rate.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'tooManyRequests' } } });
      expect((rate.Statement.RateBasedStatement as { Limit: number }).Limit).toBe(2000);
      const bodies = webAclOf(prod).Properties.CustomResponseBodies as Record<string, { ContentType: string; Content: string }>;
      expect(JSON.parse(bodies.tooManyRequests!.Content)).toEqual(TOO_MANY_REQUESTS);
      expect(TOO_MANY_REQUESTS).toMatchObject({ status: 429, type: 'https://capacity-tracker.example/problems/too-many-requests' });
      expect(ruleNamed(prod, WAF_RULES.common).OverrideAction).toEqual({ None: {} });
      expect(ruleNamed(prod, WAF_RULES.knownBadInputs).OverrideAction).toEqual({ None: {} });
    });

    it('never blocks a body for its size (bulk uploads are bigger than 8 KB; the route has its own limit)', () => {
      for (const built of [dev, prod]) {
        expect((ruleNamed(built, WAF_RULES.common).Statement.ManagedRuleGroupStatement as { RuleActionOverrides: unknown }).RuleActionOverrides).toEqual(
          COUNTED_ALWAYS.map((name) => ({ Name: name, ActionToUse: { Count: {} } })),
        );
      }
      expect(COUNTED_ALWAYS).toContain('SizeRestrictions_BODY');
    });

    it('refuses a mode or a rate it does not know', () => {
      expect(() => stageSettingsFromContext(newApp({ stage: 'dev', wafMode: 'on' }).node)).toThrow(/-c wafMode="on": use -c wafMode=count or -c wafMode=block/);
      expect(() => stageSettingsFromContext(newApp({ stage: 'dev', wafRateLimit: '5' }).node)).toThrow(/-c wafRateLimit="5"/);
      expect(() => stageSettingsFromContext(newApp({ stage: 'dev', wafRateLimit: 'lots' }).node)).toThrow(/-c wafRateLimit/);
    });
  });

  describe('the bearer rule at the edge', () => {
    it('is a CloudFront Function (cloudfront-js-2.0) whose code is generated from the rule', () => {
      const [, fn] = onlyResource(dev.api, 'AWS::CloudFront::Function');
      expect(fn.Properties).toMatchObject({ AutoPublish: true, FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
      expect(fn.Properties.FunctionCode).toBe(cloudFrontFunctionCode());
    });

    it('runs on viewer requests to /v1/* only (the pages need no token)', () => {
      const [fnId] = onlyResource(dev.api, 'AWS::CloudFront::Function');
      const config = distributionOf(dev);
      expect(apiBehaviour(config).FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } }]);
      expect(config.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    });
  });

  describe('the execute-api endpoint', () => {
    const secretId = (built: Built) => logicalIdOf(built.stacks.api.originSecret.secret);

    it('is reached by CloudFront with a generated secret in x-origin-verify, resolved at deploy time (never in the template)', () => {
      const secret = resourceById(dev.api, secretId(dev));
      expect(secret).toMatchObject({ Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true } } });
      const config = distributionOf(dev);
      const origin = config.Origins.find((candidate) => candidate.Id === apiBehaviour(config).TargetOriginId);
      const header = origin?.OriginCustomHeaders?.find((candidate) => candidate.HeaderName === ORIGIN_VERIFY_HEADER);
      expect(header).toBeDefined();
      expect(JSON.stringify(header!.HeaderValue)).toContain('{{resolve:secretsmanager:');
      expect(mentions(header!.HeaderValue, secretId(dev))).toBe(true);
      // The pages' origin (S3) is not sent it.
      expect(config.Origins.filter((candidate) => JSON.stringify(candidate).includes(ORIGIN_VERIFY_HEADER))).toHaveLength(1);
    });

    it('has a stage that holds the same secret for the authorizer to check', () => {
      const [, stage] = onlyResource(dev.api, 'AWS::ApiGatewayV2::Stage');
      const variables = stage.Properties.StageVariables as Record<string, unknown>;
      expect(Object.keys(variables)).toEqual([ORIGIN_VERIFY_STAGE_VARIABLE]);
      const config = distributionOf(dev);
      const origin = config.Origins.find((candidate) => candidate.Id === apiBehaviour(config).TargetOriginId);
      expect(variables[ORIGIN_VERIFY_STAGE_VARIABLE]).toEqual(origin?.OriginCustomHeaders?.[0]?.HeaderValue);
    });

    it('refuses, before any Lambda runs, a request that lacks the token or the origin header: the authorizer\'s identity sources', () => {
      const [, authorizer] = onlyResource(dev.api, 'AWS::ApiGatewayV2::Authorizer');
      expect(authorizer.Properties).toMatchObject({
        IdentitySource: ['$request.header.Authorization', `$request.header.${ORIGIN_VERIFY_HEADER}`],
        AuthorizerResultTtlInSeconds: 0,
      });
    });
  });

  describe('cdk-nag', () => {
    it('no longer needs the acknowledgement that there is no WAF (AwsSolutions-CFR2)', () => {
      for (const built of [dev, prod]) expect(acknowledged(built).filter((rule) => rule.startsWith('AwsSolutions-CFR2'))).toEqual([]);
    });
  });
});

describe('the settings a deployable stage needs', { timeout: SYNTH_TIMEOUT }, () => {
  const settingsOf = (context: Record<string, unknown>) => stageSettingsFromContext(newApp(context).node);

  it('lets dev keep the placeholder sender domain and address', () => {
    expect(settingsOf({ stage: 'dev' })).toMatchObject({ senderDomain: 'capacity-tracker.example', webBaseUrl: 'https://capacity-tracker.example' });
  });

  it.each([
    [{ senderDomain: undefined }, /-c senderDomain="capacity-tracker.example" is the placeholder: the prod stage sends reminders from it/],
    [{ senderDomain: 'alerts.test' }, /-c senderDomain="alerts.test" is a reserved example name/],
    [{ senderDomain: 'mail.example.com' }, /-c senderDomain="mail.example.com"/],
    [{ webBaseUrl: undefined }, /-c webBaseUrl="https:\/\/capacity-tracker.example" is the placeholder: .*-c siteDomain=/],
    [{ webBaseUrl: 'http://localhost:3000' }, /-c webBaseUrl="http:\/\/localhost:3000" is a reserved example address/],
    [{ webBaseUrl: 'https://tracker.example' }, /-c webBaseUrl/],
    [{ webBaseUrl: undefined, siteDomain: 'capacity.example' }, /-c siteDomain="capacity.example" is a reserved example name/],
  ])('refuses prod with %j, naming the setting', (override, message) => {
    expect(() => buildCapacityTracker(newApp({ stage: 'prod', ...override }))).toThrow(message);
  });

  it('refuses a certificate outside us-east-1, one without a site domain, and a webBaseUrl that is not the site domain', () => {
    const arn = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0f3c1a7e-1111-2222-3333-444455556666`;
    expect(() => settingsOf({ stage: 'prod', siteDomain: 'capacity.nhs.example.org.uk', siteCertificateArn: arn('eu-west-2') })).toThrow(/-c siteCertificateArn=.* is not an ACM certificate in us-east-1/);
    expect(() => settingsOf({ stage: 'prod', siteCertificateArn: arn('us-east-1') })).toThrow(/-c siteCertificateArn needs -c siteDomain/);
    expect(() => settingsOf({ stage: 'prod', siteDomain: 'capacity.example.org.uk', webBaseUrl: 'https://d1234abcd.cloudfront.net' })).toThrow(/disagree/);
    expect(() => settingsOf({ stage: 'dev', siteDomain: 'not a domain' })).toThrow(/-c siteDomain="not a domain" is not a domain name/);
  });

  it('accepts prod with a real sender domain and address', () => {
    expect(settingsOf({ stage: 'prod', ...DEPLOYABLE_SETTINGS })).toMatchObject({ stage: 'prod', ...DEPLOYABLE_SETTINGS, waf: { mode: 'count', rateLimit: DEFAULT_WAF_RATE_LIMIT } });
  });

  describe('one deploy with the site on its own domain (-c siteDomain)', () => {
    const SITE_DOMAIN = 'capacity.example.org.uk';
    let built: Built;
    beforeAll(() => {
      built = build({ stage: 'prod', siteDomain: SITE_DOMAIN });
    }, SYNTH_TIMEOUT);

    it('knows the site\'s address before the distribution exists: emails, sign-in and the pages agree on it', () => {
      const site = `https://${SITE_DOMAIN}`;
      expect(environmentOf(built.api, logicalIdOf(built.stacks.api.reminderFunction.function)).WEB_BASE_URL).toBe(site);
      expect(reminderFunction.settings).toContain('WEB_BASE_URL');
      const [, client] = onlyResource(built.data, 'AWS::Cognito::UserPoolClient');
      expect(client.Properties).toMatchObject({ CallbackURLs: [`${site}/signed-in.html`], LogoutURLs: [`${site}/`] });
      built.api.hasOutput('SiteUrl', { Value: site });
      const distribution = onlyResource(built.api, 'AWS::CloudFront::Distribution')[0];
      built.api.hasOutput('SiteDomainTarget', { Value: { 'Fn::GetAtt': [distribution, 'DomainName'] } });
    });

    it('serves the domain with a DNS-validated certificate the edge stack requests in us-east-1, and TLS 1.2 at least', () => {
      const [certificateId, certificate] = onlyResource(built.edge, 'AWS::CertificateManager::Certificate');
      expect(certificate.Properties).toMatchObject({ DomainName: SITE_DOMAIN, ValidationMethod: 'DNS' });
      built.edge.hasOutput(EDGE_OUTPUTS.siteCertificateArn, { Value: { Ref: certificateId } });
      const config = distributionOf(built);
      expect(config.Aliases).toEqual([SITE_DOMAIN]);
      expect(config.ViewerCertificate).toEqual({
        AcmCertificateArn: { 'Fn::GetStackOutput': { StackName: built.stacks.edge.stackName, OutputName: EDGE_OUTPUTS.siteCertificateArn, Region: 'us-east-1' } },
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      });
      // Its own certificate sets the TLS version: nothing to acknowledge.
      expect(acknowledged(built).filter((rule) => rule.startsWith('AwsSolutions-CFR4'))).toEqual([]);
    });

    it('takes a certificate that exists already with -c siteCertificateArn (and requests none)', () => {
      const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f3c1a7e-1111-2222-3333-444455556666';
      const given = build({ stage: 'prod', siteDomain: SITE_DOMAIN, siteCertificateArn: arn });
      given.edge.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      expect(distributionOf(given).ViewerCertificate).toMatchObject({ AcmCertificateArn: arn });
    });
  });
});
