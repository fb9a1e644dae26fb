import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { aggregatorFunction, authorizerFunction, fallbackRoute, routes, type RouteDefinition, type RouteId, type TableAccess } from '../../shared/routes';
import { schedules } from '../../shared/schedules';
import { ScheduledJob } from '../constructs/scheduled-job';
import { StreamConsumer } from '../constructs/stream-consumer';
import { StaticSite } from '../constructs/static-site';
import { signInAuthority, webSignInUrls } from '../constructs/sign-in';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tables as tableDefinitions, type TableId } from '../../shared/tables';
import { addFallbackRoute, addRoutes } from '../constructs/api-routes';
import { AlarmTopic } from '../constructs/alarm-topic';
import { HouseFunction } from '../constructs/house-function';
import { Monitoring } from '../constructs/monitoring';
import { ServiceApi } from '../constructs/service-api';
import { senderAddress, type StageSettings } from '../stage';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Ceilings on concurrent runs where a runaway would hurt others: an export reads up to a year of
 * aggregates, so a loop of them could take the account's concurrency from the return writes; the
 * reminder job runs hourly and needs no second copy of itself. Everything else scales freely.
 */
export const RESERVED_CONCURRENCY: Partial<Record<RouteId | 'reminders', number>> = {
  exportAggregates: 4,
  exportLocations: 2,
  reminders: 1,
};

/**
 * The national exports read and write up to ~110,000 CSV rows (a year of every authority) and gzip them:
 * measured at 8–11 s locally (`npm run bench`), past the 10 s the other routes get. They get API
 * Gateway's whole integration window and a full vCPU (Lambda's CPU grows with memory; 1,769 MB is one).
 */
export const EXPORT_SIZING = { timeout: Duration.seconds(29), memorySize: 1769 } as const;
const FUNCTION_SIZING: Partial<Record<RouteId, { timeout: Duration; memorySize: number }>> = {
  exportAggregates: EXPORT_SIZING,
  exportLocations: EXPORT_SIZING,
};

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
}

interface FunctionSpec {
  id: string;
  handler: string;
  description: string;
  tables: Partial<Record<TableId, TableAccess>>;
}

/** Stateless: functions and the HTTP API, rebuilt freely; the tables and the user pool come in from the data stack. */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly authorizerFunction: HouseFunction;
  readonly aggregator: HouseFunction;
  readonly aggregatorStream: StreamConsumer;
  readonly reminders: ScheduledJob;
  readonly site: StaticSite;
  readonly reminderFunction: HouseFunction;
  readonly senderIdentity: EmailIdentity;
  readonly alarmTopic: AlarmTopic;
  readonly monitoring: Monitoring;
  /** Every function of the stack by id (route id, `authorizer`, `aggregator`, `reminders`). */
  readonly functions: Record<string, HouseFunction> = {};

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    // Strong on purpose: CloudFormation then refuses to delete the data stack while this stack uses its tables.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    this.api = new ServiceApi(this, 'Api', { stage: props.settings.stage, logRemovalPolicy: props.settings.removalPolicy }).api;

    this.authorizerFunction = this.authorizer(props);
    const authorizer = new HttpLambdaAuthorizer('LambdaAuthorizer', this.authorizerFunction.function, {
      authorizerName: authorizerFunction.id,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // The authorizer never denies: it tells the route who is calling (or why nobody is), and the route
      // answers 401/403 as problem+json. Nothing is cached, so no identity source is needed, and without one
      // a request with no Authorization header still reaches the authorizer instead of a bare 401.
      resultsCacheTtl: Duration.seconds(0),
      identitySource: [],
    });

    const routeTable: readonly RouteDefinition[] = routes;
    addRoutes(
      this.api,
      routeTable.map((route) => ({
        route,
        handler: this.houseFunction({ ...route, description: `${route.method} ${route.path}` }, props).function,
      })),
      authorizer,
    );
    addFallbackRoute(this.api, this.houseFunction({ ...fallbackRoute, description: 'unmatched requests' }, props).function);

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the HTTP API' });

    this.site = new StaticSite(this, 'Site', {
      api: this.api,
      webDir: join(REPO_ROOT, 'web'),
      repoRoot: REPO_ROOT,
      removalPolicy: props.settings.removalPolicy,
      // Both stacks are in one region, and the data stack's domain has this prefix (see SignIn).
      signIn: {
        authority: signInAuthority(props.settings.authDomainPrefix, this.region),
        clientId: props.signIn.webClient.userPoolClientId,
        ...webSignInUrls(props.settings),
      },
    });
    new CfnOutput(this, 'SiteUrl', { value: `https://${this.site.distribution.distributionDomainName}`, description: 'The web pages (and the API at /v1)' });

    this.aggregator = this.houseFunction({ ...aggregatorFunction, description: 'Returns stream → daily aggregates' }, props, Duration.seconds(60));
    this.aggregatorStream = new StreamConsumer(this, 'AggregatorStream', {
      fn: this.aggregator,
      source: props.tables[aggregatorFunction.source],
      settings: aggregatorFunction.stream,
    });

    ({ job: this.reminders, fn: this.reminderFunction, identity: this.senderIdentity } = this.reminderJob(props));

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
      reminders: this.reminders,
      reminderFunction: this.reminderFunction,
      tables: { returns: props.tables.returns, aggregates: props.tables.aggregates },
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn, description: 'Subscribe here to be told of alarms' });
  }

  /** The hourly reminder job: finds stale locations, signs update links, sends through SES. */
  private reminderJob(props: ApiStackProps): { job: ScheduledJob; fn: HouseFunction; identity: EmailIdentity } {
    const definition = schedules.reminders;
    const fn = this.houseFunction({ ...definition }, props, Duration.minutes(15));
    const identity = new EmailIdentity(this, 'SenderIdentity', { identity: Identity.domain(props.settings.senderDomain) });
    // Sending as the service's own domain only; nothing else in SES.
    identity.grantSendEmail(fn.function);
    fn.function.addEnvironment('REMINDER_FROM_ADDRESS', senderAddress(props.settings));
    fn.function.addEnvironment('WEB_BASE_URL', props.settings.webBaseUrl);
    fn.function.addEnvironment('UPDATE_LINK_SECRET_ARN', props.signIn.updateLinkSecret.secretArn);
    // It signs the links in the emails, so it reads the key too (the authorizer verifies them).
    props.signIn.updateLinkSecret.grantRead(fn.function);
    return { job: new ScheduledJob(this, 'ReminderSchedule', { fn, definition }), fn, identity };
  }

  /** Verifies ID tokens against the user pool's keys and update links with the HMAC key (DESIGN §4). */
  private authorizer(props: ApiStackProps): HouseFunction {
    const { userPool, webClient, updateLinkSecret } = props.signIn;
    const fn = this.houseFunction({ ...authorizerFunction, description: 'Lambda authorizer: who is calling' }, props);
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`;
    fn.function.addEnvironment('JWT_ISSUER', issuer);
    fn.function.addEnvironment('JWT_AUDIENCE', webClient.userPoolClientId);
    fn.function.addEnvironment('JWKS_URL', `${issuer}/.well-known/jwks.json`);
    fn.function.addEnvironment('UPDATE_LINK_SECRET_ARN', updateLinkSecret.secretArn);
    // The only function that may read the key: it verifies update links; no route needs it.
    updateLinkSecret.grantRead(fn.function);
    return fn;
  }

  private houseFunction(spec: FunctionSpec, props: ApiStackProps, timeout?: Duration): HouseFunction {
    const reservedConcurrency = RESERVED_CONCURRENCY[spec.id as keyof typeof RESERVED_CONCURRENCY];
    const sizing = FUNCTION_SIZING[spec.id as RouteId];
    const fn = new HouseFunction(this, pascal(spec.id), {
      entry: spec.handler,
      description: spec.description,
      logLevel: props.settings.logLevel,
      logRemovalPolicy: props.settings.removalPolicy,
      ...(timeout ? { timeout } : {}),
      ...(sizing && !timeout ? sizing : {}),
      ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
    });
    this.functions[spec.id] = fn;
    for (const [tableId, access] of tableBindings(spec.tables)) {
      fn.bindTable(props.tables[tableId], access, tableDefinitions[tableId]);
    }
    return fn;
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
