import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageSettings } from '../stage';
import { acknowledge } from '../nag';

/**
 * The CQC Syndication API's subscription key, which the daily sync sends as `Ocp-Apim-Subscription-Key`.
 * The CQC issues it (its API portal); the stack makes the secret with a generated placeholder, and the
 * operator puts the key in after the first deploy (`aws secretsmanager put-secret-value`). Until then the
 * API refuses the placeholder (401), and the sync fails saying so. Its SecretString is the key itself.
 */
export class CqcApiKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: { settings: StageSettings }) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: `Capacity Tracker: the CQC Syndication API subscription key (${props.settings.stage}); put the key from the CQC API portal here`,
      generateSecretString: { passwordLength: 32, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.settings.removalPolicy,
    });
    acknowledge(this.secret, {
      'AwsSolutions-SMG4':
        'The CQC issues this key through its API portal; Secrets Manager cannot rotate it. It is replaced by hand (put-secret-value) when the CQC reissues it, and the sync reads it afresh after any 401',
    });
  }
}
