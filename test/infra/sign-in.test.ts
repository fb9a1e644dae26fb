import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Validations } from 'aws-cdk-lib';
import { buildCapacityTracker, type CapacityTrackerStacks } from '#infra/capacity-tracker';
import { preTokenGenerationFunction } from '#shared/model/functions';
import { MFA_REQUIRED_ROLES } from '#shared/model/access/identity';
import { newApp, SYNTH_TIMEOUT } from './synth';
import { actionsOf, environmentOf, logicalIdOf, mentions, onlyResource, resourceById, resourcesOfType, roleOfFunction, statementsOfRole, type CfnResource } from './template-queries';

/**
 * Sign-in for the deployed pages: the user pool's Cognito domain (managed login), the web client's OAuth
 * settings (authorization code with PKCE, no secret), what /config.js tells the pages, and the CSP.
 */
const SITE = 'https://d1234abcd.cloudfront.net';
const REGION = 'eu-west-2';

interface Built {
  stacks: CapacityTrackerStacks;
  data: Template;
  api: Template;
  assembly: string;
}

/** Bound to a region (as `cdk synth` with a profile binds it), so region-dependent values read literally. */
function build(context: Record<string, unknown>, env: { account?: string; region?: string } = { account: '123456789012', region: REGION }): Built {
  const app = newApp(context);
  const stacks = buildCapacityTracker(app, env);
  const assembly = app.synth().directory;
  return { stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api), assembly };
}

/** A string or an Fn::Join of strings and Refs, read as text with each Ref's value from `refs`. */
function joined(value: unknown, refs: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => joined(part, refs)).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined && ref in refs) return refs[ref]!;
  throw new Error(`cannot read ${JSON.stringify(value)}`);
}

function directive(csp: string, name: string): string[] {
  const found = csp.split(';').map((part) => part.trim().split(/\s+/)).find(([directiveName]) => directiveName === name);
  if (!found) throw new Error(`no ${name} in ${csp}`);
  return found.slice(1);
}

/** The Content-Security-Policy the distribution sends. */
function cspOf(api: Template): unknown {
  const [, headers] = onlyResource(api, 'AWS::CloudFront::ResponseHeadersPolicy');
  return (headers.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } } })
    .SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
}

/**
 * /config.js as the deployment writes it: the staged asset's file, with each deploy-time marker replaced
 * by what CloudFormation resolves it to (`resolve` says how to render each), run as the browser would.
 */
function deployedConfig(built: Built, resolve: (value: unknown) => string): { text: string; window: Record<string, unknown> } {
  const [, deployment] = onlyResource(built.api, 'Custom::CDKBucketDeployment');
  const keys = deployment.Properties.SourceObjectKeys as string[];
  const markers = deployment.Properties.SourceMarkers as Array<Record<string, unknown>>;
  const index = keys.findIndex((key) => existsSync(join(built.assembly, `asset.${key.replace(/\.zip$/, '')}`, 'config.js')));
  if (index < 0) throw new Error('no source of the deployment holds config.js');
  let text = readFileSync(join(built.assembly, `asset.${keys[index]!.replace(/\.zip$/, '')}`, 'config.js'), 'utf8');
  for (const [marker, value] of Object.entries(markers[index] ?? {})) text = text.split(marker).join(resolve(value));
  const window: Record<string, unknown> = {};
  runInNewContext(text, { window });
  return { text, window };
}

describe('sign-in for the deployed pages', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: Built;
  let prod: Built;
  beforeAll(() => {
    dev = build({ stage: 'dev', webBaseUrl: `${SITE}/` });
    prod = build({ stage: 'prod', webBaseUrl: SITE, authDomainPrefix: 'nhs-capacity' });
  }, SYNTH_TIMEOUT);

  describe('the Cognito domain', () => {
    it('is a prefix domain capacity-tracker-<stage> by default, with the classic hosted UI (the Lite plan has no other)', () => {
      const [, domain] = onlyResource(dev.data, 'AWS::Cognito::UserPoolDomain');
      expect(domain.Properties).toEqual({ Domain: 'capacity-tracker-dev', ManagedLoginVersion: 1, UserPoolId: { Ref: logicalIdOf(dev.stacks.data.userPool) } });
      // No custom domain: no certificate to manage, and none of CloudFront's us-east-1 requirements.
      expect(domain.Properties.CustomDomainConfig).toBeUndefined();
      // The output is the domain's own address (its Ref is the prefix), the same as the pages are given.
      const domainId = logicalIdOf(dev.stacks.data.signInDomain);
      expect(joined(dev.data.toJSON().Outputs.SignInUrl.Value, { [domainId]: 'capacity-tracker-dev' })).toBe(`https://capacity-tracker-dev.auth.${REGION}.amazoncognito.com`);
    });

    it('takes its prefix from -c authDomainPrefix', () => {
      const [, domain] = onlyResource(prod.data, 'AWS::Cognito::UserPoolDomain');
      expect(domain.Properties.Domain).toBe('nhs-capacity');
      const domainId = logicalIdOf(prod.stacks.data.signInDomain);
      expect(joined(prod.data.toJSON().Outputs.SignInUrl.Value, { [domainId]: 'nhs-capacity' })).toBe(`https://nhs-capacity.auth.${REGION}.amazoncognito.com`);
    });

    it.each(['Capacity-Tracker', '-capacity', 'capacity-', 'capacity_tracker', 'my-cognito-login', 'aws-tracker', 'amazon', 'x'.repeat(64), ''])(
      'refuses the prefix %j, which Cognito would reject',
      (prefix) => {
        expect(() => buildCapacityTracker(newApp({ stage: 'dev', authDomainPrefix: prefix }))).toThrow(/authDomainPrefix/);
      },
    );
  });

  describe('the web client', () => {
    let client: CfnResource;
    beforeAll(() => {
      [, client] = onlyResource(dev.data, 'AWS::Cognito::UserPoolClient');
    });

    it('allows the authorization code grant only, with openid, email and their own account (authenticator apps), for Cognito users only, and has no secret', () => {
      expect(client.Properties).toMatchObject({
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        SupportedIdentityProviders: ['COGNITO'],
        GenerateSecret: false,
      });
      expect([...(client.Properties.AllowedOAuthScopes as string[])].sort()).toEqual(['aws.cognito.signin.user.admin', 'email', 'openid']);
      // Passwords go to Cognito's pages only: a caller with the public client id may refresh tokens, nothing else.
      expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    });

    it('sends users back to <webBaseUrl>/signed-in.html after signing in and to <webBaseUrl>/ after signing out (a trailing slash in the flag is dropped)', () => {
      expect(client.Properties.CallbackURLs).toEqual([`${SITE}/signed-in.html`]);
      expect(client.Properties.LogoutURLs).toEqual([`${SITE}/`]);
      expect(client.Properties.DefaultRedirectURI).toBeUndefined();
    });

    it('keeps what it had: no user-existence errors, revocable tokens, 1-hour ID and access tokens, 30-day refresh, the attribute lists', () => {
      expect(client.Properties).toMatchObject({
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        IdTokenValidity: 60,
        AccessTokenValidity: 60,
        RefreshTokenValidity: 30 * 24 * 60,
        TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      });
      expect([...(client.Properties.ReadAttributes as string[])].sort()).toEqual(['custom:areas', 'email', 'email_verified']);
      expect(client.Properties.WriteAttributes).toEqual(['email']);
    });

    it.each(['http://d1234abcd.cloudfront.net', `${SITE}/app`, `${SITE}/?x=1`, 'd1234abcd.cloudfront.net'])('refuses -c webBaseUrl=%s, which cannot be the callback', (webBaseUrl) => {
      expect(() => buildCapacityTracker(newApp({ stage: 'dev', webBaseUrl }))).toThrow(/webBaseUrl/);
    });
  });

  describe('/config.js', () => {
    it('carries the API base and the sign-in settings, the client id and the region filled in at deploy time', () => {
      const clientId = logicalIdOf(dev.stacks.data.webClient);
      const config = deployedConfig(dev, (value) => {
        const text = JSON.stringify(value);
        // The client id is the data stack's export of the web client (the one the authorizer checks tokens against).
        if (text.includes('Fn::ImportValue') && text.includes(clientId)) return 'web-client-id';
        throw new Error(`unexpected deploy-time value ${text}`);
      });
      expect(config.window).toEqual({
        CAPACITY_TRACKER_API: '',
        CAPACITY_TRACKER_SIGN_IN: {
          authority: `https://capacity-tracker-dev.auth.${REGION}.amazoncognito.com`,
          clientId: 'web-client-id',
          redirectUri: `${SITE}/signed-in.html`,
          logoutUri: `${SITE}/`,
        },
        CAPACITY_TRACKER_ACCOUNT_API: `https://cognito-idp.${REGION}.amazonaws.com/`,
      });
    });

    it('names the stack region at deploy time when the synth is not bound to one', () => {
      const agnostic = build({ stage: 'prod', webBaseUrl: SITE }, {});
      const config = deployedConfig(agnostic, (value) => {
        if (JSON.stringify(value) === JSON.stringify({ Ref: 'AWS::Region' })) return 'eu-west-1';
        if (JSON.stringify(value).includes('Fn::ImportValue')) return 'web-client-id';
        throw new Error(`unexpected deploy-time value ${JSON.stringify(value)}`);
      });
      expect(config.window.CAPACITY_TRACKER_SIGN_IN).toMatchObject({ authority: 'https://capacity-tracker-prod.auth.eu-west-1.amazoncognito.com', clientId: 'web-client-id' });
      // And the CSP names the same domain through the same pseudo parameter.
      expect(joined(cspOf(agnostic.api), { 'AWS::Region': '${AWS::Region}' })).toContain("connect-src 'self' https://capacity-tracker-prod.auth.${AWS::Region}.amazoncognito.com https://cognito-idp.${AWS::Region}.amazonaws.com;");
      expect(config.window.CAPACITY_TRACKER_ACCOUNT_API).toBe('https://cognito-idp.eu-west-1.amazonaws.com/');
    });
  });

  describe('the content security policy', () => {
    it('lets the pages connect to the sign-in domain (token exchange, refresh, revocation) and the user API (authenticator apps), nothing broader', () => {
      const csp = cspOf(prod.api);
      if (typeof csp !== 'string') throw new Error(`the CSP is not a literal: ${JSON.stringify(csp)}`);
      expect(directive(csp, 'connect-src')).toEqual(["'self'", `https://nhs-capacity.auth.${REGION}.amazoncognito.com`, `https://cognito-idp.${REGION}.amazonaws.com`]);
      expect(csp).not.toMatch(/\*|unsafe-|https:(\s|;|$)/);
      // Still nothing but the site's own script, style and forms; no framing.
      expect(directive(csp, 'default-src')).toEqual(["'self'"]);
      expect(directive(csp, 'script-src')).toEqual(["'self'"]);
      expect(directive(csp, 'style-src')).toEqual(["'self'"]);
      expect(directive(csp, 'form-action')).toEqual(["'self'"]);
      expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"]);
      // Going to the hosted UI and to /logout is a top-level navigation: no directive that governs it is set.
      expect(csp).not.toMatch(/navigate-to|sandbox/);
    });
  });
});

describe("Cognito's own emails", { timeout: SYNTH_TIMEOUT }, () => {
  const poolOf = (built: Built) => onlyResource(built.data, 'AWS::Cognito::UserPool')[1];

  it("invite a new user with the site's address, their user name and the temporary password", () => {
    const pool = poolOf(build({ stage: 'prod', webBaseUrl: SITE }));
    const invitation = (pool.Properties.AdminCreateUserConfig as { InviteMessageTemplate: { EmailMessage: string; EmailSubject: string } }).InviteMessageTemplate;
    expect(invitation.EmailSubject).toBe('Your Capacity Tracker account');
    for (const part of [SITE, '{username}', '{####}']) expect(invitation.EmailMessage).toContain(part);
  });

  it("use Cognito's sender until told the sender domain is verified, then SES from the service's address", () => {
    expect(poolOf(build({ stage: 'prod', webBaseUrl: SITE })).Properties.EmailConfiguration).toEqual({ EmailSendingAccount: 'COGNITO_DEFAULT' });
    const viaSes = poolOf(build({ stage: 'prod', webBaseUrl: SITE, senderDomain: 'tracker.example.org.uk', userEmailViaSes: 'true' }));
    expect(viaSes.Properties.EmailConfiguration).toMatchObject({
      EmailSendingAccount: 'DEVELOPER',
      From: 'Capacity Tracker <capacity-tracker@tracker.example.org.uk>',
    });
    expect(JSON.stringify((viaSes.Properties.EmailConfiguration as { SourceArn: unknown }).SourceArn)).toContain(':identity/tracker.example.org.uk');
  });

  it('refuse a flag that is neither true nor false', () => {
    expect(() => build({ stage: 'prod', webBaseUrl: SITE, userEmailViaSes: 'yes' })).toThrow(/-c userEmailViaSes="yes": use true or false/);
  });
});

/**
 * MFA by role (issue 19): TOTP only and optional at the pool (Cognito cannot require it per group), and
 * the pre token generation trigger that marks the ID tokens of users who sign in with an authenticator
 * app, which the authorizer requires of admin, national and commissioner tokens.
 */
describe('MFA', { timeout: SYNTH_TIMEOUT }, () => {
  let dev: Built;
  let poolId: string;
  let pool: CfnResource;
  let triggerId: string;
  beforeAll(() => {
    dev = build({ stage: 'dev', webBaseUrl: SITE });
    [poolId, pool] = onlyResource(dev.data, 'AWS::Cognito::UserPool');
    triggerId = logicalIdOf(dev.stacks.data.node.findChild('SignIn').node.findChild('PreTokenGeneration').node.findChild('Function'));
  }, SYNTH_TIMEOUT);

  it('is optional at the pool, an authenticator app (TOTP) only: no SMS, no email codes, and no remembered devices that would skip the code', () => {
    expect(pool.Properties.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.SmsConfiguration).toBeUndefined();
    expect(pool.Properties.DeviceConfiguration).toBeUndefined();
  });

  it('has the pre token generation trigger attached (V1_0: the ID token), and no other trigger', () => {
    expect(pool.Properties.LambdaConfig).toEqual({ PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [triggerId, 'Arn'] }, LambdaVersion: 'V1_0' } });
    const fn = resourceById(dev.data, triggerId);
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({ Timeout: preTokenGenerationFunction.timeoutSeconds, MemorySize: preTokenGenerationFunction.memoryMb, Runtime: 'nodejs22.x', TracingConfig: { Mode: 'Active' } });
    expect(preTokenGenerationFunction.timeoutSeconds).toBeLessThanOrEqual(5); // Cognito waits 5 s for a trigger
    // No tables and no settings: the pool's id comes in the event.
    expect(Object.keys(environmentOf(dev.data, triggerId)).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME']);
  });

  it('may be invoked by this user pool alone', () => {
    const permissions = Object.values(resourcesOfType(dev.data, 'AWS::Lambda::Permission')).filter((permission) => mentions(permission.Properties.FunctionName, triggerId));
    expect(permissions.map((permission) => permission.Properties)).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [triggerId, 'Arn'] }, Principal: 'cognito-idp.amazonaws.com', SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] } },
    ]);
  });

  it('may read the users of this pool (AdminGetUser) and nothing else of Cognito: besides, only its own log group and X-Ray', () => {
    const statements = statementsOfRole(dev.data, roleOfFunction(dev.data, triggerId));
    const cognito = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('cognito-idp:')));
    expect(cognito).toEqual([{ Effect: 'Allow', Action: 'cognito-idp:AdminGetUser', Resource: { 'Fn::GetAtt': [poolId, 'Arn'] } }]);
    const others = statements.filter((statement) => !cognito.includes(statement));
    expect(others.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    for (const statement of others) {
      if (actionsOf(statement).some((action) => action.startsWith('logs:'))) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(dev.stacks.data.node.findChild('SignIn').node.findChild('PreTokenGeneration').node.findChild('Logs')), 'Arn'] });
      else expect(statement.Resource).toBe('*');
    }
    // And no function of the API stack may read the pool's users' MFA settings.
    const apiStatements = Object.values(resourcesOfType(dev.api, 'AWS::IAM::Policy')).flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Parameters<typeof actionsOf>[0][] }).Statement);
    expect(apiStatements.flatMap(actionsOf).filter((action) => action === 'cognito-idp:AdminGetUser' || action === 'cognito-idp:*')).toEqual([]);
  });

  it('deploys: the pool waits for the function, the grant waits for the pool, and nothing waits on itself (no dependency cycle)', () => {
    const resources = dev.data.toJSON().Resources as Record<string, { DependsOn?: string[] | string; Properties?: unknown }>;
    const edges = new Map<string, Set<string>>();
    const refs = (value: unknown, found: Set<string>) => {
      if (Array.isArray(value)) for (const item of value) refs(item, found);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === 'Ref' && typeof inner === 'string' && inner in resources) found.add(inner);
          else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string' && inner[0] in resources) found.add(inner[0]);
          else refs(inner, found);
        }
      }
    };
    for (const [id, resource] of Object.entries(resources)) {
      const found = new Set<string>([resource.DependsOn ?? []].flat());
      refs(resource.Properties, found);
      edges.set(id, found);
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycleFrom = (id: string, path: string[]): string[] | undefined => {
      if (state.get(id) === 'done') return undefined;
      if (state.get(id) === 'visiting') return [...path, id];
      state.set(id, 'visiting');
      for (const next of edges.get(id) ?? []) {
        const cycle = cycleFrom(next, [...path, id]);
        if (cycle) return cycle;
      }
      state.set(id, 'done');
      return undefined;
    };
    for (const id of edges.keys()) expect(cycleFrom(id, []), 'a dependency cycle').toBeUndefined();
    expect(edges.get(poolId)).toContain(triggerId);
  });

  it('still acknowledges cdk-nag COG2 (it wants MFA required for everyone), saying MFA is required by role instead', () => {
    const acknowledged = dev.stacks.data.userPool.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .find(([key]) => key.replace(/^Annotation::/, '') === 'AwsSolutions-COG2');
    expect(acknowledged?.[1]).toMatch(/pre token generation trigger/);
    for (const role of MFA_REQUIRED_ROLES) expect(acknowledged?.[1]).toContain(role);
  });
});
