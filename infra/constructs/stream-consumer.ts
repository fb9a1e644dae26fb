import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_RETENTION_SECONDS } from '#shared/model/functions';
import type { HouseFunction } from './house-function';
import { acknowledge } from '../nag';

export interface StreamConsumerProps {
  fn: HouseFunction;
  /** A table with a stream. */
  source: ITableV2;
  settings: { batchSize: number; maximumRetryAttempts: number; bisectBatchOnError: boolean; maximumBatchingWindowSeconds: number; maximumRecordAgeSeconds: number };
  /** What falling behind or giving up means, for the alarms' descriptions (default: the aggregates). */
  what?: string;
}

/**
 * A function fed by a table's stream the way the local poller feeds it: partial batch failures
 * reported, bounded retries, failed batches bisected, and what is given up on sent to a queue that
 * alarms when it holds anything.
 */
export class StreamConsumer extends Construct {
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly iteratorAgeAlarm: Alarm;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    const { maximumRecordAgeSeconds } = props.settings;
    if (!(maximumRecordAgeSeconds >= 60 && maximumRecordAgeSeconds <= STREAM_RETENTION_SECONDS / 2)) {
      // Past the retention a record is gone before Lambda gives up on it: nothing reaches the queue, so no alarm.
      throw new Error(`${id}: maximumRecordAgeSeconds must be 60..${STREAM_RETENTION_SECONDS / 2} (well inside the stream's retention), not ${maximumRecordAgeSeconds}`);
    }
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, {
      'AwsSolutions-SQS3': 'It is itself the dead-letter destination of the stream mapping (its on-failure destination, which cdk-nag does not see); nothing consumes it but an operator replaying batches',
    });
    props.fn.function.addEventSource(
      new DynamoEventSource(props.source, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.settings.batchSize,
        maxBatchingWindow: Duration.seconds(props.settings.maximumBatchingWindowSeconds),
        reportBatchItemFailures: true,
        retryAttempts: props.settings.maximumRetryAttempts,
        bisectBatchOnError: props.settings.bisectBatchOnError,
        // One batch at a time per shard: a location's versions are applied in the order they were written.
        parallelizationFactor: 1,
        // A record not handled within hours is given up on (to the queue, which alarms) while it is still in
        // the stream; recovery is `npm run aggregates:rebuild` from the stored returns (docs/operations.md).
        maxRecordAge: Duration.seconds(maximumRecordAgeSeconds),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersWaiting', {
      alarmDescription: `Stream batches were given up on: ${props.what ?? 'aggregates may be short'} until they are replayed`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.iteratorAgeAlarm = new Alarm(this, 'FallingBehind', {
      alarmDescription: `The consumer is more than a minute behind the stream: ${props.what ?? 'aggregates are stale'}`,
      metric: props.fn.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 60_000,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
