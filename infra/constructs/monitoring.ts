import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AsyncWorker } from './async-worker';
import type { HouseFunction } from './house-function';
import type { ScheduledJob } from './scheduled-job';
import type { StreamConsumer } from './stream-consumer';

/** Five-minute windows: long enough to hold a rate steady, short enough to wake someone in time. */
const WINDOW = Duration.minutes(5);

/**
 * The thresholds a duty engineer is woken by. SES puts an account under review at a 5% bounce or a
 * 0.1% complaint rate (and may pause sending at 10% / 0.5%), so the alarms fire at the review line.
 */
export const ALARM_THRESHOLDS = {
  apiServerErrorPercent: 1,
  apiServerErrorsAtLeast: 3,
  apiLatencyP99Ms: 3000,
  sesBounceRate: 0.05,
  sesComplaintRate: 0.001,
} as const;

export interface MonitoringProps {
  stage: string;
  topic: ITopic;
  api: HttpApi;
  /** The functions a return goes through on its way in: throttling any of them loses submissions. */
  writePath: Record<string, HouseFunction>;
  aggregator: HouseFunction;
  aggregatorStream: StreamConsumer;
  /** Further consumers of a stream (saved-search emails): their dead letters and lag page too. */
  otherStreams?: readonly StreamConsumer[];
  /** Functions invoked asynchronously (the export worker), by id: dead letters, failed runs, runs near the timeout. */
  asyncWorkers?: Partial<Record<string, AsyncWorker>>;
  reminders: ScheduledJob;
  reminderFunction: HouseFunction;
  cqcSync: ScheduledJob;
  cqcSyncFunction: HouseFunction;
  tables: Record<'returns' | 'aggregates', ITableV2>;
}

/** The alarms a duty engineer is paged by (all to one topic), and one dashboard of the service. */
export class Monitoring extends Construct {
  readonly apiServerErrors: Alarm;
  readonly apiLatency: Alarm;
  readonly writePathThrottled: Alarm;
  readonly sesBounces: Alarm;
  readonly sesComplaints: Alarm;
  /** Every alarm of the service, including those built beside the stream consumer and the job. */
  readonly alarms: Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const requests = props.api.metricCount({ period: WINDOW, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period: WINDOW, statistic: 'Sum' });

    // A rate, so a busy morning and a quiet night are judged alike; a floor of a few errors, so one
    // failed request out of twenty at 3 a.m. is not a page.
    this.apiServerErrors = new Alarm(this, 'ApiServerErrors', {
      alarmDescription: `More than ${ALARM_THRESHOLDS.apiServerErrorPercent}% of API requests answered 5xx for 10 minutes: callers are failing`,
      metric: new MathExpression({
        label: '5xx % of requests',
        expression: `IF(errors >= ${ALARM_THRESHOLDS.apiServerErrorsAtLeast}, 100 * errors / requests, 0)`,
        usingMetrics: { errors: serverErrors, requests },
        period: WINDOW,
      }),
      threshold: ALARM_THRESHOLDS.apiServerErrorPercent,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.apiLatency = new Alarm(this, 'ApiSlow', {
      alarmDescription: `API p99 latency above ${ALARM_THRESHOLDS.apiLatencyP99Ms} ms for 15 minutes`,
      metric: props.api.metricLatency({ period: WINDOW, statistic: 'p99' }),
      threshold: ALARM_THRESHOLDS.apiLatencyP99Ms,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const throttles = Object.fromEntries(
      Object.entries(props.writePath).map(([name, fn]) => [name, fn.function.metricThrottles({ period: WINDOW, statistic: 'Sum' })]),
    );
    this.writePathThrottled = new Alarm(this, 'WritePathThrottled', {
      alarmDescription: 'Lambda throttled a function that returns pass through: providers are being turned away',
      metric: new MathExpression({ label: 'throttles', expression: Object.keys(throttles).join(' + '), usingMetrics: throttles, period: WINDOW }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Account-wide reputation metrics: SES judges the account, not the identity.
    this.sesBounces = new Alarm(this, 'SesBounceRate', {
      alarmDescription: 'SES bounce rate at the level where AWS reviews the account: check the contact addresses',
      metric: sesMetric('Reputation.BounceRate', 'Maximum'),
      threshold: ALARM_THRESHOLDS.sesBounceRate,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.sesComplaints = new Alarm(this, 'SesComplaintRate', {
      alarmDescription: 'SES complaint rate at the level where AWS reviews the account: reminders are being marked as spam',
      metric: sesMetric('Reputation.ComplaintRate', 'Maximum'),
      threshold: ALARM_THRESHOLDS.sesComplaintRate,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const asyncWorkers = Object.entries(props.asyncWorkers ?? {}).flatMap(([name, worker]) => (worker ? [[name, worker] as const] : []));
    this.alarms = [
      this.apiServerErrors,
      this.apiLatency,
      this.writePathThrottled,
      props.aggregatorStream.deadLetterAlarm,
      props.aggregatorStream.iteratorAgeAlarm,
      ...(props.otherStreams ?? []).flatMap((stream) => [stream.deadLetterAlarm, stream.iteratorAgeAlarm]),
      props.reminders.errorAlarm,
      props.cqcSync.errorAlarm,
      ...asyncWorkers.flatMap(([, worker]) => [worker.deadLetterAlarm, worker.errorAlarm, worker.nearTimeoutAlarm]),
      this.sesBounces,
      this.sesComplaints,
    ];
    const action = new SnsAction(props.topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `capacity-tracker-${props.stage}`,
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    this.dashboard.addWidgets(
      graph('API requests and errors', [requests, props.api.metricClientError({ period: WINDOW, statistic: 'Sum' }), serverErrors]),
      graph('API latency (ms)', [
        props.api.metricLatency({ period: WINDOW, statistic: 'p50' }),
        props.api.metricLatency({ period: WINDOW, statistic: 'p99' }),
      ]),
    );
    const writeFunctions = Object.entries(props.writePath);
    this.dashboard.addWidgets(
      graph(
        'Write path: invocations and errors',
        writeFunctions.flatMap(([name, fn]) => [
          fn.function.metricInvocations({ period: WINDOW, label: `${name} invocations` }),
          fn.function.metricErrors({ period: WINDOW, label: `${name} errors` }),
        ]),
      ),
      graph(
        'Write path: duration p99 (ms)',
        writeFunctions.map(([name, fn]) => fn.function.metricDuration({ period: WINDOW, statistic: 'p99', label: name })),
      ),
    );
    this.dashboard.addWidgets(
      graph('Aggregator: behind the stream (ms)', [props.aggregator.function.metric('IteratorAge', { period: WINDOW, statistic: 'Maximum' })]),
      graph('Aggregator: errors and batches given up', [
        props.aggregator.function.metricErrors({ period: WINDOW }),
        props.aggregatorStream.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: WINDOW, label: 'dead letters waiting' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Reminder job: runs, errors, duration (ms)', [
        props.reminderFunction.function.metricInvocations({ period: Duration.hours(1) }),
        props.reminderFunction.function.metricErrors({ period: Duration.hours(1) }),
        props.reminderFunction.function.metricDuration({ period: Duration.hours(1), statistic: 'Maximum' }),
      ]),
      graph('Email (SES): sent, bounced, complained', [sesMetric('Send', 'Sum'), sesMetric('Bounce', 'Sum'), sesMetric('Complaint', 'Sum')]),
    );
    this.dashboard.addWidgets(
      graph('Email (SES): bounce and complaint rates (account)', [
        sesMetric('Reputation.BounceRate', 'Maximum'),
        sesMetric('Reputation.ComplaintRate', 'Maximum'),
      ]),
      graph('CQC sync: runs, errors, duration (ms)', [
        props.cqcSyncFunction.function.metricInvocations({ period: Duration.hours(1) }),
        props.cqcSyncFunction.function.metricErrors({ period: Duration.hours(1) }),
        props.cqcSyncFunction.function.metricDuration({ period: Duration.hours(1), statistic: 'Maximum' }),
      ]),
    );
    for (const [name, worker] of asyncWorkers) {
      this.dashboard.addWidgets(
        graph(`${name}: runs, errors, duration (ms)`, [
          worker.fn.function.metricInvocations({ period: WINDOW }),
          worker.fn.function.metricErrors({ period: WINDOW }),
          worker.fn.function.metricDuration({ period: WINDOW, statistic: 'Maximum' }),
        ]),
        graph(`${name}: throttled runs and events given up`, [
          worker.fn.function.metricThrottles({ period: WINDOW }),
          worker.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: WINDOW, label: 'dead letters waiting' }),
        ]),
      );
    }
    this.dashboard.addWidgets(
      graph(
        'DynamoDB: consumed write units',
        Object.entries(props.tables).map(([name, table]) => table.metricConsumedWriteCapacityUnits({ period: WINDOW, label: name })),
      ),
      graph(
        'DynamoDB: throttled writes',
        Object.entries(props.tables).map(([name, table]) => table.metric('WriteThrottleEvents', { period: WINDOW, statistic: 'Sum', label: name })),
      ),
    );
  }
}

function sesMetric(metricName: string, statistic: string): Metric {
  return new Metric({ namespace: 'AWS/SES', metricName, statistic, period: Duration.hours(1) });
}

function graph(title: string, left: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left, width: 12, height: 6 });
}
