import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { VENDOR_ASSETS } from '#shared/model/web-assets';
import { cloudFrontFunctionCode } from '#shared/model/access/bearer-required';
import { ORIGIN_VERIFY_HEADER } from '#shared/model/access/origin-verify';
import { acknowledge } from '../nag';

/**
 * Nothing the pages need comes from anywhere but this site: no inline script or style, no third-party
 * script. The API is served through the same distribution, so `connect-src 'self'` covers it; the other
 * origins the pages talk to are the sign-in authority (Cognito's managed login domain), for the code
 * exchange, token refresh and revocation, and Cognito's user API, for setting up an authenticator app.
 * Going to its sign-in and sign-out pages is a top-level navigation, which no directive here restricts
 * (`form-action` covers form submissions only, and the pages send none).
 */
export function contentSecurityPolicy(signIn: Pick<WebSignInSettings, 'authority' | 'accountApi'>): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${signIn.authority} ${signIn.accountApi.replace(/\/$/, '')}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** What /config.js tells the pages about signing in (`window.CAPACITY_TRACKER_SIGN_IN`). */
export interface WebSignInSettings {
  /** The managed login's base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  authority: string;
  clientId: string;
  /** `<webBaseUrl>/signed-in.html`: a callback URL of the app client. */
  redirectUri: string;
  /** `<webBaseUrl>/`: a sign-out URL of the app client. */
  logoutUri: string;
  /** Cognito's user API, `https://cognito-idp.<region>.amazonaws.com/` (`window.CAPACITY_TRACKER_ACCOUNT_API`). */
  accountApi: string;
}

/** The deployed /config.js: the API's base (the same origin) and the sign-in settings, tokens resolved at deploy time. */
export function configScript(signIn: WebSignInSettings): string {
  const settings = { authority: signIn.authority, clientId: signIn.clientId, redirectUri: signIn.redirectUri, logoutUri: signIn.logoutUri };
  return `window.CAPACITY_TRACKER_API = '';\nwindow.CAPACITY_TRACKER_SIGN_IN = ${JSON.stringify(settings)};\nwindow.CAPACITY_TRACKER_ACCOUNT_API = ${JSON.stringify(signIn.accountApi)};\n`;
}

export interface StaticSiteProps {
  api: HttpApi;
  /** The web/ folder and the repository root (for the vendor files). */
  webDir: string;
  repoRoot: string;
  removalPolicy: RemovalPolicy;
  /** How the pages sign users in (Cognito's managed login); written into /config.js. */
  signIn: WebSignInSettings;
  /** The web ACL in front of everything (from the edge stack, us-east-1). */
  webAclArn: string;
  /** The value CloudFront adds to every request to the API as `x-origin-verify` (a dynamic reference). */
  originSecret: string;
  /** The site's own domain name and its certificate (us-east-1); without them, `*.cloudfront.net`. */
  customDomain?: { domainName: string; certificateArn: string };
}

/**
 * The web pages: a private bucket that only CloudFront may read (origin access control), served with
 * security headers, and the HTTP API behind the same distribution at /v1/*. The pages learn the API's
 * address and how to sign in from /config.js, written at deploy time.
 */
export class StaticSite extends Construct {
  readonly bucket: Bucket;
  /** Access logs of the bucket and of the distribution, kept 90 days. */
  readonly accessLogs: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** The CloudFront Function on `/v1/*` that refuses a non-public route without a bearer token. */
  readonly bearerRequired: CloudFrontFunction;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    const disposable = props.removalPolicy === RemovalPolicy.DESTROY;
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are written with an ACL, and cannot be KMS-encrypted.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: disposable,
    });
    acknowledge(this.accessLogs, { 'AwsSolutions-S1': 'This is the access-log bucket: logging its own access would log forever' });
    this.bucket = new Bucket(this, 'Pages', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'pages/',
      removalPolicy: props.removalPolicy,
      // Pages are rebuilt from the repository on every deploy: a dev stack may take them with it.
      autoDeleteObjects: disposable,
    });
    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.signIn), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    // The API's host name, from its endpoint URL (https://<id>.execute-api.<region>.amazonaws.com).
    const apiHost = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    // A request without a token would cost the authorizer and then the route, and an API Gateway request,
    // to be told it needs one: the edge answers it instead, with the same problem+json, from the same rule
    // as the local gateway (shared/model/access/bearer-required.ts). After the web ACL, before the cache.
    this.bearerRequired = new CloudFrontFunction(this, 'BearerRequired', {
      comment: 'Capacity Tracker: 401 problem+json for an API route without a bearer token',
      code: FunctionCode.fromInline(cloudFrontFunctionCode()),
      runtime: FunctionRuntime.JS_2_0,
    });
    const certificate = props.customDomain ? Certificate.fromCertificateArn(this, 'SiteCertificate', props.customDomain.certificateArn) : undefined;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Capacity Tracker: web pages and API',
      defaultRootObject: 'index.html',
      webAclId: props.webAclArn,
      ...(props.customDomain && certificate ? { domainNames: [props.customDomain.domainName], certificate } : {}),
      enableLogging: true,
      logBucket: this.accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: this.headers,
      },
      additionalBehaviors: {
        '/v1/*': {
          // The header that tells the API a request came this way, past the web ACL and the bearer rule
          // (a viewer's own x-origin-verify is replaced): see shared/model/access/origin-verify.ts.
          origin: new HttpOrigin(apiHost, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY, customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originSecret } }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          functionAssociations: [{ function: this.bearerRequired, eventType: FunctionEventType.VIEWER_REQUEST }],
          // Every answer is for one caller (tokens, fresh figures): never cached.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
    });
    const deployment = new BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      distribution: this.distribution,
      sources: [
        Source.asset(props.webDir),
        ...Object.entries(VENDOR_ASSETS).map(([path, file]) => Source.data(path.slice(1), readFileSync(join(props.repoRoot, file), 'utf8'))),
        // Same origin as the pages (CloudFront sends /v1/* to the API), so the API's base is empty; a site
        // on another domain would put the API's URL here. The client id and the region are deploy-time values.
        Source.data('config.js', configScript(props.signIn)),
      ],
    });
    acknowledge(this.distribution, {
      'AwsSolutions-CFR1': 'No geo restriction: the service is for England, but national teams, suppliers and staff travelling use it from elsewhere, and every API call needs a token',
    });
    // With its own domain the distribution has its own certificate and TLSv1.2_2021 (the feature flag's default).
    if (!props.customDomain) {
      acknowledge(this.distribution, {
        'AwsSolutions-CFR4':
          "The distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum TLS version cannot be set; -c siteDomain gives it its own certificate and TLSv1.2_2021",
      });
    }
    // CDK's own deployment function (one per stack, which made the role), which copies the pages into the bucket.
    const deploymentFunction = deployment.handlerRole.node.scope;
    if (!deploymentFunction) throw new Error('BucketDeployment role has no function around it');
    acknowledge(deploymentFunction, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': "CDK's BucketDeployment function: its role is made by CDK and runs only at deploy time",
      'AwsSolutions-IAM5[Action::s3:GetObject*]': 'CDK BucketDeployment reads the pages from the CDK assets bucket',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]': 'CDK BucketDeployment reads the assets bucket and writes the site bucket',
      'AwsSolutions-IAM5[Action::s3:List*]': 'CDK BucketDeployment lists the site bucket to prune old pages',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]': 'CDK BucketDeployment removes pages that are no longer in web/',
      'AwsSolutions-IAM5[Action::s3:Abort*]': 'CDK BucketDeployment aborts failed multipart uploads',
      'AwsSolutions-IAM5[Resource::<SitePages600CC8A7.Arn>/*]': 'Every object of the site bucket (and no other bucket): it replaces the pages',
      [`AwsSolutions-IAM5[Resource::${assetsBucketObjects(Stack.of(this))}]`]: "The CDK bootstrap assets bucket, where the pages' zip is uploaded",
      'AwsSolutions-IAM5[Resource::*]': 'CDK BucketDeployment creates a CloudFront invalidation; CloudFront invalidations take no resource ARN in this role',
      'AwsSolutions-L1': "CDK's BucketDeployment function: its runtime is chosen by CDK",
    });
  }
}

/**
 * The CDK assets bucket's objects as cdk-nag names them: pseudo parameters where the stack is not bound
 * to an account or region, the literal values where it is (as under `cdk synth`, which binds a region).
 */
function assetsBucketObjects(stack: Stack): string {
  const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
  const bucket = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${shown(stack.account, 'AWS::AccountId')}-${shown(stack.region, 'AWS::Region')}`;
  return `arn:${shown(stack.partition, 'AWS::Partition')}:s3:::${bucket}/*`;
}
