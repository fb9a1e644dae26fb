import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HouseFunction } from './house-function';

/** A run taking more than this share of the function's timeout is close to being killed by it. */
export const NEAR_TIMEOUT_SHARE = 0.8;

export interface AsyncWorkerProps {
  /** A house function built with `asyncInvocation`: its retries, event age and dead-letter queue. */
  fn: HouseFunction;
  /** Its timeout, as the function was given it. */
  timeout: Duration;
  /** What a dead letter means to the people it was working for, for the alarm's description. */
  whenGivenUp: string;
}

/**
 * The alarms of a function invoked asynchronously (the export worker): an event given up on (the
 * dead-letter queue holds it), a run that failed (Lambda retries it; a failure that keeps happening
 * is a bug or an outage), and runs getting close to the timeout (the largest jobs will soon fail).
 */
export class AsyncWorker extends Construct {
  readonly fn: HouseFunction;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly errorAlarm: Alarm;
  readonly nearTimeoutAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AsyncWorkerProps) {
    super(scope, id);
    const queue = props.fn.deadLetterQueue;
    if (!queue) throw new Error(`${props.fn.node.path} has no dead-letter queue: build it with asyncInvocation`);
    this.fn = props.fn;
    this.deadLetterQueue = queue;
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersWaiting', {
      alarmDescription: `Lambda gave up on an event after its retries or its maximum age: ${props.whenGivenUp}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.errorAlarm = new Alarm(this, 'RunFailed', {
      alarmDescription: 'A run failed (Lambda retries it): its log says why',
      metric: props.fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const nearTimeoutMs = Math.round(props.timeout.toMilliseconds() * NEAR_TIMEOUT_SHARE);
    this.nearTimeoutAlarm = new Alarm(this, 'NearTimeout', {
      alarmDescription: `A run took more than ${Math.round(NEAR_TIMEOUT_SHARE * 100)}% of its ${props.timeout.toHumanString()}: the largest jobs will soon time out`,
      metric: props.fn.function.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: nearTimeoutMs,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
