import { Duration } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolClient,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  UserPoolEmail,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { preTokenGenerationFunction } from '#shared/model/functions';
import { MFA_REQUIRED_ROLES } from '#shared/model/access/identity';
import { Role } from '#shared/model/schemas/common';
import { senderAddress, type StageSettings } from '../stage';
import { acknowledge } from '../nag';
import { HouseFunction } from './house-function';

/** The custom attribute that carries a commissioner's areas (comma-separated ONS codes) into ID tokens. */
export const AREAS_ATTRIBUTE = 'areas';
/** One Cognito group per role: the authorizer reads the role from `cognito:groups`. */
export const ROLE_GROUPS: readonly Role[] = Role.options;

export interface SignInProps {
  settings: StageSettings;
}

/**
 * The managed login's address for a domain prefix in a region: the OAuth authority the pages send users
 * to (`/oauth2/authorize`), exchange codes with (`/oauth2/token`) and sign out through (`/logout`). The
 * same as `UserPoolDomain.baseUrl()`; the API stack computes it from the settings rather than importing
 * the domain, so that a changed prefix does not get stuck on a cross-stack export in use.
 */
export function signInAuthority(prefix: string, region: string): string {
  return `https://${prefix}.auth.${region}.amazoncognito.com`;
}

/**
 * Cognito's user API in a region (AWS JSON 1.1 at the root): the authenticator-app page calls
 * AssociateSoftwareToken, VerifySoftwareToken and SetUserMFAPreference there with the user's access token.
 */
export function accountApiEndpoint(region: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/`;
}

/** Where Cognito sends users back to: after signing in (with the code) and after signing out. */
export function webSignInUrls(settings: Pick<StageSettings, 'webBaseUrl'>): { redirectUri: string; logoutUri: string } {
  return { redirectUri: `${settings.webBaseUrl}/signed-in.html`, logoutUri: `${settings.webBaseUrl}/` };
}

/**
 * What the ID token needs: `openid` (the token itself, with the attributes the client may read) and the
 * email; and `aws.cognito.signin.user.admin`, without which the access token cannot set up an
 * authenticator app (web/mfa.html). That scope lets users act on their own account only: read it, change
 * their password, change the attributes the client may write (the email alone), sign out everywhere or
 * delete themselves. docs/security.md says why that is acceptable.
 */
export const WEB_SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.COGNITO_ADMIN];

/**
 * Who may sign in: a Cognito user pool whose users are created by an admin (no self sign-up), one group
 * per role, its managed login pages on a Cognito prefix domain, and the app client the web pages sign in
 * with: OAuth 2.0 authorization code with PKCE, no client secret (it runs in a browser). Cognito's pages
 * take the password, the new password an admin-created user must choose, TOTP codes and password resets;
 * the web pages only ever see the code and the tokens.
 *
 * MFA is TOTP only (an authenticator app; no SMS), optional at the pool, and required by role: Cognito
 * asks for the code at every sign-in of a user who has set one up, and the pre token generation trigger
 * says so in the ID token; the authorizer refuses admin, national and commissioner tokens without it.
 * The trigger is built here, beside the pool that names it: from the API stack, the pool (data stack)
 * would refer to it and it to the pool.
 */
export class SignIn extends Construct {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** Adds the MFA claim to ID tokens (`functions/pre-token-generation.ts`). */
  readonly preTokenGeneration: HouseFunction;

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
      // Optional at the pool, so that providers and discharge teams may choose; required by role (above).
      // No device tracking: a remembered device would skip the code, and the claim would not know it.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Lite has everything used here (groups, custom attributes, TOTP, the classic hosted UI); threat protection (Plus) costs extra.
      featurePlan: FeaturePlan.LITE,
      email: settings.userEmailViaSes
        ? UserPoolEmail.withSES({ fromEmail: senderAddress(settings), fromName: 'Capacity Tracker', sesVerifiedDomain: settings.senderDomain })
        : UserPoolEmail.withCognito(),
      // The invitation says where to sign in: admin-created users otherwise get a password and no address.
      userInvitation: {
        emailSubject: 'Your Capacity Tracker account',
        emailBody:
          `An account has been made for you on Capacity Tracker. Sign in at ${settings.webBaseUrl} with your email ` +
          'address ({username}) and this temporary password: {####} . It lasts 3 days; you will then choose your own.',
      },
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    });

    acknowledge(this.userPool, {
      'AwsSolutions-COG2':
        `MFA (TOTP only) is optional at the pool, because Cognito cannot require it for some groups only, and required by role: the pre token generation trigger marks ID tokens of users who sign in with an authenticator app, and the authorizer refuses ${MFA_REQUIRED_ROLES.join(', ')} tokens without the mark. Care-home staff and discharge teams share devices without a second factor to hand; provider users can write only their own locations`,
      'AwsSolutions-COG8':
        'The Lite plan: threat protection (Plus) is billed per active user, and sign-in is admin-created accounts only (no self sign-up). Revisit if credential stuffing is seen',
    });

    // The trigger: an ID token's MFA claim. It may read users of this pool (AdminGetUser), nothing else. The
    // grant is a policy of its own, not the role's default policy, which the function waits for: the pool
    // waits for the function, so a grant the function waited for could not name the pool.
    const trigger = preTokenGenerationFunction;
    this.preTokenGeneration = new HouseFunction(this, 'PreTokenGeneration', {
      entry: trigger.handler,
      description: trigger.description,
      logLevel: settings.logLevel,
      logRemovalPolicy: settings.removalPolicy,
      timeout: Duration.seconds(trigger.timeoutSeconds),
      memorySize: trigger.memoryMb,
    });
    // V1_0: the ID token (the Lite plan has no other version, and the authorizer reads only ID tokens).
    this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, this.preTokenGeneration.function, LambdaVersion.V1_0);
    this.preTokenGeneration.function.role!.attachInlinePolicy(
      new Policy(this, 'PreTokenGenerationReadsUsers', {
        statements: [new PolicyStatement({ actions: trigger.trigger.calls.map((action) => `cognito-idp:${action}`), resources: [this.userPool.userPoolArn] })],
      }),
    );

    for (const role of ROLE_GROUPS) {
      this.userPool.addGroup(`${role}Group`, { groupName: role, description: `Capacity Tracker role: ${role}` });
    }

    // The classic hosted UI: the only managed login pages the Lite plan has (the newer ones need Essentials).
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: settings.authDomainPrefix },
      managedLoginVersion: ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });

    const urls = webSignInUrls(settings);
    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: `capacity-tracker-web-${settings.stage}`,
      generateSecret: false,
      // The authorization code grant only (no implicit grant: tokens never travel in a URL). Cognito checks
      // the PKCE verifier at the code exchange whenever the authorize request carried a challenge, and the
      // pages always send one (S256), so a code taken from an address bar is useless to anyone else.
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: WEB_SCOPES,
        callbackUrls: [urls.redirectUri],
        logoutUrls: [urls.logoutUri],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
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
    // Signing in happens on the managed login pages only: no password flow of any kind (SRP included) is
    // open to a caller holding the public client id, only the refresh of tokens. CDK cannot say this (an
    // empty authFlows leaves the list out, and Cognito's default for no list allows SRP and custom auth).
    (this.webClient.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
  }
}
