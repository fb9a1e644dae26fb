import { Duration } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolClient,
  ClientAttributes,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { Role } from '#shared/model/schemas/common';
import { senderAddress, type StageSettings } from '../stage';
import { acknowledge } from '../nag';

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

/** Where Cognito sends users back to: after signing in (with the code) and after signing out. */
export function webSignInUrls(settings: Pick<StageSettings, 'webBaseUrl'>): { redirectUri: string; logoutUri: string } {
  return { redirectUri: `${settings.webBaseUrl}/signed-in.html`, logoutUri: `${settings.webBaseUrl}/` };
}

/** What the ID token needs: `openid` (the token itself, with the attributes the client may read) and the email. */
export const WEB_SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL];

/**
 * Who may sign in: a Cognito user pool whose users are created by an admin (no self sign-up), one group
 * per role, its managed login pages on a Cognito prefix domain, and the app client the web pages sign in
 * with: OAuth 2.0 authorization code with PKCE, no client secret (it runs in a browser). Cognito's pages
 * take the password, the new password an admin-created user must choose, TOTP codes and password resets;
 * the web pages only ever see the code and the tokens.
 */
export class SignIn extends Construct {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  readonly domain: UserPoolDomain;

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
        'MFA is offered (TOTP) but not required: care-home staff sign in from shared devices without a second factor to hand, and Cognito cannot require MFA for some groups only. Provider users can write only their own locations',
      'AwsSolutions-COG8':
        'The Lite plan: threat protection (Plus) is billed per active user, and sign-in is admin-created accounts only (no self sign-up). Revisit if credential stuffing is seen',
    });

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
