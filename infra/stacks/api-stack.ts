import { CfnOutput, CrossStackReferences, Duration, Lazy, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { AsyncFunctionId, RouteDefinition, TableAccess } from '#shared/model/routes';
import { ASYNC_FUNCTION_SETTINGS } from '#shared/model/async-functions';
import {
  aggregatorFunction,
  authorizerFunction,
  cqcSyncFunction,
  fallbackFunction,
  functionDefinitions,
  readsCqcApiKey,
  cognitoActions,
  readsUpdateLinkKey,
  reminderFunction,
  savedSearchAlertsFunction,
  sendsEmail,
  writeActions,
  type FunctionDefinition,
} from '#shared/model/functions';
import type { SettingName } from '#shared/model/settings';
import { ScheduledJob } from '../constructs/scheduled-job';
import { StreamConsumer } from '../constructs/stream-consumer';
import { StaticSite } from '../constructs/static-site';
import { accountApiEndpoint, signInAuthority, webSignInUrls } from '../constructs/sign-in';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tables as tableDefinitions, type TableId } from '#shared/model/tables';
import { addFallbackRoute, addRoutes } from '../constructs/api-routes';
import { AlarmTopic } from '../constructs/alarm-topic';
import { AsyncWorker } from '../constructs/async-worker';
import { EXPORTS_KEY_PREFIX, ExportFiles } from '../constructs/export-files';
import { HouseFunction } from '../constructs/house-function';
import { Monitoring } from '../constructs/monitoring';
import { ServiceApi } from '../constructs/service-api';
import { OriginSecret } from '../constructs/origin-secret';
import type { EdgeReferences } from './edge-stack';
import { ORIGIN_VERIFY_HEADER } from '#shared/model/access/origin-verify';
import { senderAddress, type StageSettings } from '../stage';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Who signs users in and what signs update links: both live in the data stack. */
export interface SignInResources {
  userPool: IUserPool;
  webClient: IUserPoolClient;
  updateLinkSecret: ISecret;
}

export interface ApiStackProps extends StackProps {
  settings: StageSettings;
  tables: Record<TableId, ITableV2>;
  signIn: SignInResources;
  /** The CQC API's subscription key (data stack): only the sync may read it. */
  cqcApiKeySecret: ISecret;
  /** The web ACL (and the site's certificate) from the edge stack in us-east-1. */
  edge: EdgeReferences;
}

/**
 * What it means to the people a function invoked asynchronously works for when Lambda gives up on one of
 * its events (the dead-letter alarm's description), per function.
 */
const WHEN_GIVEN_UP: Record<AsyncFunctionId, string> = {
  exportWorker: 'an export job failed for good (it reads failed, or stays running if its last run was killed); whoever asked must ask again (POST /v1/exports). The message names the exportId',
};

/** Stateless: functions and the HTTP API, rebuilt freely; the tables and the user pool come in from the data stack. */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly authorizerFunction: HouseFunction;
  readonly aggregator: HouseFunction;
  readonly aggregatorStream: StreamConsumer;
  readonly savedSearchAlerts: HouseFunction;
  readonly savedSearchAlertsStream: StreamConsumer;
  readonly reminders: ScheduledJob;
  readonly site: StaticSite;
  /** What CloudFront sends the API to show a request came through it (and its web ACL). */
  readonly originSecret: OriginSecret;
  /** Export files (`exports/`, kept 7 days): functions reach them as their definition's `exportsBucket` says. */
  readonly exportsBucket: Bucket;
  readonly reminderFunction: HouseFunction;
  readonly cqcSync: ScheduledJob;
  readonly cqcSyncFunction: HouseFunction;
  senderIdentity!: EmailIdentity;
  readonly alarmTopic: AlarmTopic;
  readonly monitoring: Monitoring;
  /** Every function of the stack by id (route id, `authorizer`, `aggregator`, `reminders`, `cqcSync`, `exportWorker`). */
  readonly functions: Record<string, HouseFunction> = {};
  /** The functions invoked asynchronously (trigger kind `async`) and their alarms, by id. */
  readonly asyncWorkers: Partial<Record<AsyncFunctionId, AsyncWorker>> = {};

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Strong on purpose: CloudFormation then refuses to delete the data stack while this stack uses its tables.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    this.originSecret = new OriginSecret(this, 'OriginSecret');
    this.api = new ServiceApi(this, 'Api', { stage: props.settings.stage, logRemovalPolicy: props.settings.removalPolicy, originSecret: this.originSecret.value }).api;

    this.site = new StaticSite(this, 'Site', {
      api: this.api,
      webDir: join(REPO_ROOT, 'web'),
      repoRoot: REPO_ROOT,
      removalPolicy: props.settings.removalPolicy,
      // Both stacks are in one region, and the data stack's domain has this prefix (see SignIn).
      signIn: {
        authority: signInAuthority(props.settings.authDomainPrefix, this.region),
        accountApi: accountApiEndpoint(this.region),
        clientId: props.signIn.webClient.userPoolClientId,
        ...webSignInUrls(props.settings),
      },
      webAclArn: props.edge.webAclArn,
      originSecret: this.originSecret.value,
      ...(props.settings.siteDomain && props.edge.siteCertificateArn
        ? { customDomain: { domainName: props.settings.siteDomain, certificateArn: props.edge.siteCertificateArn } }
        : {}),
    });
    const distributionHost = this.site.distribution.distributionDomainName;
    new CfnOutput(this, 'SiteUrl', { value: props.settings.siteDomain ? props.settings.webBaseUrl : `https://${distributionHost}`, description: 'The web pages (and the API at /v1)' });
    if (props.settings.siteDomain) {
      new CfnOutput(this, 'SiteDomainTarget', { value: distributionHost, description: `Point ${props.settings.siteDomain} here (a CNAME, or an alias record in Route 53)` });
    }

    // The exports bucket is here rather than in the data stack: its files are made again by asking again
    // and go after 7 days, so it holds nothing a rebuild cannot replace (the jobs themselves are in the
    // data stack's exports table). Here its access log is the site's log bucket, and its grants name it by
    // a logical id of this stack, which the cdk-nag acknowledgement of the `exports/*` resource can name;
    // a cross-stack import would name it by a generated export name. Built before the functions that use it.
    this.exportsBucket = new ExportFiles(this, 'Exports', { removalPolicy: props.settings.removalPolicy, accessLogs: this.site.accessLogs }).bucket;

    this.authorizerFunction = this.authorizer(props);
    const authorizer = new HttpLambdaAuthorizer('LambdaAuthorizer', this.authorizerFunction.function, {
      authorizerName: authorizerFunction.id,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // The authorizer tells the route who is calling (or why nobody is), and the route answers 401/403 as
      // problem+json. Nothing is cached, nor may be: what it hands on depends on the route (the return writes
      // get the token's claims, to settle against the users table themselves: caller-check.ts). A request without a bearer token never gets here through
      // CloudFront (its function answers the API's 401 problem+json: shared/model/access/bearer-required.ts),
      // so the identity sources are a second line: API Gateway answers a bare 401 itself, with no Lambda
      // run, to a request that lacks the Authorization header or CloudFront's origin header (one sent
      // straight to execute-api). The authorizer refuses one whose origin header is not the secret.
      resultsCacheTtl: Duration.seconds(0),
      identitySource: ['$request.header.Authorization', `$request.header.${ORIGIN_VERIFY_HEADER}`],
    });

    addRoutes(
      this.api,
      functionDefinitions.flatMap((definition) =>
        definition.trigger.kind === 'route' ? [{ route: definition.trigger.route as RouteDefinition, handler: this.houseFunction(definition, props).function }] : [],
      ),
      authorizer,
    );
    addFallbackRoute(this.api, this.houseFunction(fallbackFunction, props).function);

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the HTTP API' });

    this.aggregator = this.houseFunction(aggregatorFunction, props);
    this.aggregatorStream = new StreamConsumer(this, 'AggregatorStream', {
      fn: this.aggregator,
      source: props.tables[aggregatorFunction.source],
      settings: aggregatorFunction.stream,
    });

    // A second mapping on the same stream: saved-search emails never hold the aggregates back, nor they them.
    this.savedSearchAlerts = this.houseFunction(savedSearchAlertsFunction, props);
    this.savedSearchAlertsStream = new StreamConsumer(this, 'SavedSearchAlertsStream', {
      fn: this.savedSearchAlerts,
      source: props.tables[savedSearchAlertsFunction.source],
      settings: savedSearchAlertsFunction.stream,
      what: 'saved-search emails are late or missing',
    });

    ({ job: this.reminders, fn: this.reminderFunction, identity: this.senderIdentity } = this.reminderJob(props));
    this.cqcSyncFunction = this.houseFunction(cqcSyncFunction, props);
    this.cqcSync = new ScheduledJob(this, 'CqcSyncSchedule', { fn: this.cqcSyncFunction, definition: cqcSyncFunction.trigger.schedule });

    // Functions started by others (the export worker, by POST /v1/exports): retried by Lambda, then
    // dead-lettered, and alarmed. Who may start them is their callers' `invokes` (see houseFunction).
    for (const definition of functionDefinitions) {
      if (definition.trigger.kind !== 'async') continue;
      const id = definition.id as AsyncFunctionId;
      this.asyncWorkers[id] = new AsyncWorker(this, `${pascal(id)}Runs`, {
        fn: this.houseFunction(definition, props),
        timeout: Duration.seconds(definition.timeoutSeconds),
        whenGivenUp: WHEN_GIVEN_UP[id],
      });
    }

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      stage: props.settings.stage,
      removalPolicy: props.settings.removalPolicy,
      ...(props.settings.alarmEmail ? { email: props.settings.alarmEmail } : {}),
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: props.settings.stage,
      topic: this.alarmTopic.topic,
      api: this.api,
      writePath: pick(this.functions, ['authorizer', 'putReturn', 'confirmReturn']),
      aggregator: this.aggregator,
      aggregatorStream: this.aggregatorStream,
      otherStreams: [this.savedSearchAlertsStream],
      asyncWorkers: this.asyncWorkers,
      reminders: this.reminders,
      reminderFunction: this.reminderFunction,
      cqcSync: this.cqcSync,
      cqcSyncFunction: this.cqcSyncFunction,
      tables: { returns: props.tables.returns, aggregates: props.tables.aggregates },
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn, description: 'Subscribe here to be told of alarms' });
  }

  /** The hourly reminder job (its function reads the key and sends as the service's domain: see its settings). */
  private reminderJob(props: ApiStackProps): { job: ScheduledJob; fn: HouseFunction; identity: EmailIdentity } {
    const fn = this.houseFunction(reminderFunction, props);
    return { job: new ScheduledJob(this, 'ReminderSchedule', { fn, definition: reminderFunction.trigger.schedule }), fn, identity: this.senderIdentity };
  }

  /** Verifies ID tokens against the user pool's keys and update links with the HMAC key (DESIGN §4). */
  private authorizer(props: ApiStackProps): HouseFunction {
    return this.houseFunction(authorizerFunction, props);
  }

  /** The values of the settings a function may declare, as this stage has them. */
  private settingValues(props: ApiStackProps): Record<SettingName, string> {
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${props.signIn.userPool.userPoolId}`;
    return {
      WEB_BASE_URL: props.settings.webBaseUrl,
      REMINDER_FROM_ADDRESS: senderAddress(props.settings),
      UPDATE_LINK_SECRET_ARN: props.signIn.updateLinkSecret.secretArn,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: props.signIn.webClient.userPoolClientId,
      JWKS_URL: `${issuer}/.well-known/jwks.json`,
      CQC_API_BASE_URL: props.settings.cqcApiBaseUrl,
      CQC_API_KEY_SECRET_ARN: props.cqcApiKeySecret.secretArn,
      USER_POOL_ID: props.signIn.userPool.userPoolId,
      // Both made in this deploy, so no second deploy (the worker's name is resolved at synth: the routes
      // that invoke it are built before it).
      EXPORTS_BUCKET: this.exportsBucket.bucketName,
      EXPORT_WORKER_FUNCTION: this.lateFunction('exportWorker').functionName,
    };
  }

  /**
   * A function of this stack by id, its name and ARN resolved at synth time: a function may be told of
   * (and allowed to invoke) one that is built after it. A definition naming a function the stack does
   * not build fails the synth.
   */
  private lateFunction(id: AsyncFunctionId): { functionArn: string; functionName: string } {
    const of = (attribute: 'functionArn' | 'functionName') =>
      Lazy.string({
        produce: () => {
          const fn = this.functions[id];
          if (!fn) throw new Error(`no function ${id} in ${this.stackName}, yet a definition invokes it`);
          return fn.function[attribute];
        },
      });
    return { functionArn: of('functionArn'), functionName: of('functionName') };
  }

  /**
   * One function from its definition: its sizing, exactly its tables (grant and name, writes narrowed
   * where it says), exactly its settings, and what those settings imply: reading the update-link key or
   * the CQC API key, sending as the service's domain; its objects of the exports bucket (`exportsBucket`),
   * the functions it invokes (`invokes`), and, if it is itself invoked asynchronously, its retries, event
   * age and dead-letter queue.
   */
  private houseFunction(definition: FunctionDefinition, props: ApiStackProps): HouseFunction {
    const fn = new HouseFunction(this, pascal(definition.id), {
      entry: definition.handler,
      description: definition.description,
      logLevel: props.settings.logLevel,
      logRemovalPolicy: props.settings.removalPolicy,
      timeout: Duration.seconds(definition.timeoutSeconds),
      memorySize: definition.memoryMb,
      ...(definition.reservedConcurrency !== undefined ? { reservedConcurrency: definition.reservedConcurrency } : {}),
      ...(definition.trigger.kind === 'async'
        ? { asyncInvocation: { retryAttempts: definition.trigger.retryAttempts, maxEventAge: Duration.seconds(definition.trigger.maximumEventAgeSeconds) } }
        : {}),
    });
    this.functions[definition.id] = fn;
    for (const [tableId, access] of tableBindings(definition.tables)) {
      fn.bindTable(props.tables[tableId], access, tableDefinitions[tableId], writeActions(definition, tableId));
    }
    const values = this.settingValues(props);
    for (const name of definition.settings) fn.function.addEnvironment(name, values[name]);
    if (readsUpdateLinkKey(definition)) props.signIn.updateLinkSecret.grantRead(fn.function);
    if (readsCqcApiKey(definition)) props.cqcApiKeySecret.grantRead(fn.function);
    if (sendsEmail(definition)) this.senderIdentityFor(props).grantSendEmail(fn.function);
    if (definition.exportsBucket) fn.bindBucket(this.exportsBucket, definition.exportsBucket, EXPORTS_KEY_PREFIX, 'EXPORTS_BUCKET');
    for (const target of definition.invokes ?? []) fn.bindInvocation(this.lateFunction(target), ASYNC_FUNCTION_SETTINGS[target]);
    const userActions = cognitoActions(definition);
    if (userActions.length > 0) props.signIn.userPool.grant(fn.function, ...userActions.map((action) => `cognito-idp:${action}`));
    return fn;
  }

  /** The service's sending domain in SES, made once for the functions that send. */
  private senderIdentityFor(props: ApiStackProps): EmailIdentity {
    this.senderIdentity ??= new EmailIdentity(this, 'SenderIdentity', { identity: Identity.domain(props.settings.senderDomain) });
    return this.senderIdentity;
  }
}

function tableBindings(map: Partial<Record<TableId, TableAccess>>): [TableId, TableAccess][] {
  return Object.entries(map).flatMap(([tableId, access]) => (access ? [[tableId as TableId, access]] : []));
}

function pick<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
  return Object.fromEntries(keys.map((key) => {
    const value = record[key];
    if (value === undefined) throw new Error(`no function ${key}`);
    return [key, value];
  }));
}

function pascal(id: string): string {
  return `${id.charAt(0).toUpperCase()}${id.slice(1)}`;
}
