import type { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_STAGE_VARIABLE } from '#shared/model/access/origin-verify';

/**
 * One line per request for the duty engineer: what was asked, what it answered, how long it took and
 * why it failed. Deliberately no source IP, user agent or caller identity: logs carry no personal data.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
} as const;

/**
 * Requests a second across the API before API Gateway answers 429: far above the morning peak (30,000
 * returns over a few hours is a few a second), low enough that a client stuck in a loop cannot run up
 * the bill or starve everyone else of Lambda concurrency.
 */
export const API_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

export interface ServiceApiProps {
  stage: string;
  logRemovalPolicy: RemovalPolicy;
  /**
   * The value requests must carry in `x-origin-verify` (CloudFront adds it): a stage variable, where the
   * authorizer reads it (`shared/model/access/origin-verify.ts`).
   */
  originSecret: string;
}

/** The HTTP API with its one stage (`$default`), access-logged and throttled. */
export class ServiceApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `capacity-tracker-${props.stage}`,
      description: `Capacity Tracker API (${props.stage})`,
      // Made below instead, with access logs and throttling, which the default stage cannot be given.
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: props.logRemovalPolicy });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      stageVariables: { [ORIGIN_VERIFY_STAGE_VARIABLE]: props.originSecret },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
  }
}
