import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageSettings } from '../stage';
import { acknowledge } from '../nag';

export interface UpdateLinkKeyProps {
  settings: StageSettings;
}

/**
 * The HMAC key that signs update links in reminder emails. Its SecretString is the key itself: 64
 * generated letters and digits (well over the 32 bytes HS256 needs).
 */
export class UpdateLinkKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: UpdateLinkKeyProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: `Capacity Tracker update-link signing key (${props.settings.stage})`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.settings.removalPolicy,
    });
    acknowledge(this.secret, {
      'AwsSolutions-SMG4':
        'Rotating the key would invalidate every update link already emailed (they live 72 h). Links are withdrawn per location by revocation; the key is rotated by hand, after the last reminder run, if it is ever exposed',
    });
  }
}
