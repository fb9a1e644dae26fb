import type { RemovalPolicy } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  stage: string;
  /** Where alarms are emailed (`-c alarmEmail=...`); without one, subscribe to the topic by hand. */
  email?: string;
  removalPolicy: RemovalPolicy;
}

/**
 * Where every alarm goes: an SNS topic, encrypted with a key of its own (CloudWatch cannot publish to a
 * topic under the AWS-managed SNS key, so the key lets CloudWatch in and nobody else but the account).
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: `Capacity Tracker alarm topic (${props.stage})`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', {
      displayName: `Capacity Tracker alarms (${props.stage})`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email) {
      new Subscription(this, 'Email', { topic: this.topic, protocol: SubscriptionProtocol.EMAIL, endpoint: props.email });
    }
  }
}
