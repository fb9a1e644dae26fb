import { Duration } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  UserPoolClient,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { Role } from '../../shared/schemas/common';
import type { StageSettings } from '../stage';
import { acknowledge } from '../nag';

/** The custom attribute that carries a commissioner's areas (comma-separated ONS codes) into ID tokens. */
export const AREAS_ATTRIBUTE = 'areas';
/** One Cognito group per role: the authorizer reads the role from `cognito:groups`. */
export const ROLE_GROUPS: readonly Role[] = Role.options;

export interface SignInProps {
  settings: StageSettings;
}

/**
 * Who may sign in: a Cognito user pool whose users are created by an admin (no self sign-up), one group
 * per role, and the app client the web form signs in with (SRP, no client secret: it runs in a browser).
 */
export class SignIn extends Construct {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
    const { settings } = props;

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `capacity-tracker-${settings.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed email address only takes effect once the new one is verified.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // Mutable so an admin can change a user's areas; the web client may read it but never write it.
      customAttributes: { [AREAS_ATTRIBUTE]: new StringAttribute({ minLen: 0, maxLen: 2048, mutable: true }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Lite has everything used here (groups, custom attributes, TOTP, SRP); threat protection (Plus) costs extra.
      featurePlan: FeaturePlan.LITE,
      email: UserPoolEmail.withCognito(),
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    });

    acknowledge(this.userPool, {
      'AwsSolutions-COG2':
        'MFA is offered (TOTP) but not required: care-home staff sign in from shared devices without a second factor to hand, and Cognito cannot require MFA for some groups only. Provider users can write only their own locations',
      'AwsSolutions-COG8':
        'The Lite plan: threat protection (Plus) is billed per active user, and sign-in is admin-created accounts only (no self sign-up). Revisit if credential stuffing is seen',
    });

    for (const role of ROLE_GROUPS) {
      this.userPool.addGroup(`${role}Group`, { groupName: role, description: `Capacity Tracker role: ${role}` });
    }

    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: `capacity-tracker-web-${settings.stage}`,
      generateSecret: false,
      // SRP only; the refresh-token flow is added by CDK alongside it. No hosted UI, so no OAuth flows.
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // ID tokens carry what the client may read: custom:areas is what commissioners are scoped by.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes(AREAS_ATTRIBUTE),
      // Explicit, so that users cannot give themselves areas (by default a client may write every attribute).
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
    });
  }
}
