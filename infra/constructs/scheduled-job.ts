import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { ScheduleDefinition } from '#shared/model/schedules';
import type { HouseFunction } from './house-function';

/** A function run on the schedule the shared definition gives, with an alarm when a run fails. */
export class ScheduledJob extends Construct {
  readonly rule: Rule;
  readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: { fn: HouseFunction; definition: ScheduleDefinition }) {
    super(scope, id);
    this.rule = new Rule(this, 'Schedule', {
      description: props.definition.description,
      schedule: Schedule.expression(props.definition.expression),
      // One retry: the jobs are safe to rerun (reminders claim every email before sending it; the CQC
      // sync resumes from its checkpoint).
      targets: [new LambdaFunction(props.fn.function, { retryAttempts: 1 })],
    });
    this.errorAlarm = new Alarm(this, 'RunFailed', {
      alarmDescription: `${props.definition.id}: a run failed`,
      metric: props.fn.function.metricErrors({ period: Duration.hours(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
