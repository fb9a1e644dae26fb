import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { CQC_API_PRODUCTION_URL } from '#shared/model/settings';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageSettings {
  stage: Stage;
  /** Applied to stateful resources: data and logs outlive a prod stack, a dev stack cleans up after itself. */
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
  logLevel: 'DEBUG' | 'INFO';
  /** The domain reminder emails are sent from (an SES identity); `-c senderDomain=...`. */
  senderDomain: string;
  /**
   * Where the web pages are served (the `SiteUrl` output), without a trailing slash: update links in
   * reminder emails point there, and Cognito sends users back there after signing in. `-c webBaseUrl=...`.
   */
  webBaseUrl: string;
  /**
   * The prefix of the user pool's Cognito domain (`https://<prefix>.auth.<region>.amazoncognito.com`), where
   * the managed login pages are. Unique among all AWS accounts in the region. `-c authDomainPrefix=...`.
   */
  authDomainPrefix: string;
  /** Where alarms are emailed (`-c alarmEmail=...`); unset, the topic has no subscriber until one is added. */
  alarmEmail?: string;
  /**
   * Cognito's own emails (invitations, password resets) go through SES from the sender domain instead of
   * Cognito's built-in sender, which allows 50 a day. `-c userEmailViaSes=true`, once SES has verified the
   * domain: Cognito refuses an unverified identity, so the first deploy cannot have it.
   */
  userEmailViaSes: boolean;
  /**
   * The CQC Syndication API the daily sync calls, up to `/public/v1`: the CQC's own unless
   * `-c cqcApiBaseUrl=...` (a test double, a proxy).
   */
  cqcApiBaseUrl: string;
}

/** The address every email of the service comes from: reminders, and Cognito's when sent through SES. */
export function senderAddress(settings: Pick<StageSettings, 'senderDomain'>): string {
  return `capacity-tracker@${settings.senderDomain}`;
}

const settings: Record<Stage, Omit<StageSettings, 'senderDomain' | 'webBaseUrl' | 'authDomainPrefix' | 'alarmEmail' | 'userEmailViaSes' | 'cqcApiBaseUrl'>> = {
  dev: { stage: 'dev', removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, logLevel: 'DEBUG' },
  prod: { stage: 'prod', removalPolicy: RemovalPolicy.RETAIN, deletionProtection: true, logLevel: 'INFO' },
};

/** Placeholders on a reserved domain, so a synth works offline; a real deployment passes its own. */
const DEFAULT_SENDER_DOMAIN = 'capacity-tracker.example';
const DEFAULT_WEB_BASE_URL = 'https://capacity-tracker.example';

/**
 * Cognito's rules for a prefix domain: lowercase letters, digits and hyphens, 1 to 63 characters, no hyphen
 * at either end, and none of the words it reserves.
 */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_IN_PREFIX = ['aws', 'amazon', 'cognito'];

function authDomainPrefix(value: unknown, stage: Stage): string {
  const prefix = String(value ?? `capacity-tracker-${stage}`);
  if (!DOMAIN_PREFIX.test(prefix) || RESERVED_IN_PREFIX.some((word) => prefix.includes(word))) {
    throw new Error(
      `-c authDomainPrefix=${JSON.stringify(prefix)} is not a Cognito domain prefix: lowercase letters, digits and inner hyphens, at most 63, without ${RESERVED_IN_PREFIX.join(', ')}`,
    );
  }
  return prefix;
}

/**
 * The pages' base URL as an origin: https (Cognito accepts plain http only for localhost), no path, query
 * or fragment (the pages link to each other from the root), no trailing slash.
 */
function webBaseUrl(value: unknown): string {
  const text = String(value ?? DEFAULT_WEB_BASE_URL);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`-c webBaseUrl=${JSON.stringify(text)} is not a URL: give the SiteUrl output, e.g. https://d1234abcd.cloudfront.net`);
  }
  const local = url.protocol === 'http:' && url.hostname === 'localhost';
  if ((url.protocol !== 'https:' && !local) || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new Error(`-c webBaseUrl=${JSON.stringify(text)} must be an https origin with no path, e.g. https://d1234abcd.cloudfront.net`);
  }
  return url.origin;
}

/** The CQC API's base: an https URL (its path kept, without a trailing slash). */
function cqcApiBaseUrl(value: unknown): string {
  const text = String(value ?? CQC_API_PRODUCTION_URL);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`-c cqcApiBaseUrl=${JSON.stringify(text)} is not a URL: give the API up to /public/v1, e.g. ${CQC_API_PRODUCTION_URL}`);
  }
  if (url.protocol !== 'https:' || url.search || url.hash || url.username) {
    throw new Error(`-c cqcApiBaseUrl=${JSON.stringify(text)} must be an https URL without query, e.g. ${CQC_API_PRODUCTION_URL}`);
  }
  return text.replace(/\/+$/, '');
}

/** A context flag: `-c name=true` arrives as a string, cdk.json may hold a boolean; anything else is a mistake. */
function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`-c ${name}=${JSON.stringify(value)}: use true or false`);
}

function isStage(value: unknown): value is Stage {
  return STAGES.some((stage) => stage === value);
}

/** A mistyped stage fails the synth rather than quietly deploying something with dev settings. */
export function stageSettingsFromContext(node: Node): StageSettings {
  const value: unknown = node.tryGetContext('stage') ?? 'dev';
  if (!isStage(value)) {
    throw new Error(`Unknown stage ${JSON.stringify(value)}: use -c stage=${STAGES.join(' or -c stage=')}`);
  }
  const alarmEmail: unknown = node.tryGetContext('alarmEmail');
  return {
    ...settings[value],
    senderDomain: String(node.tryGetContext('senderDomain') ?? DEFAULT_SENDER_DOMAIN),
    webBaseUrl: webBaseUrl(node.tryGetContext('webBaseUrl')),
    authDomainPrefix: authDomainPrefix(node.tryGetContext('authDomainPrefix'), value),
    ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
    userEmailViaSes: flag(node.tryGetContext('userEmailViaSes'), 'userEmailViaSes'),
    cqcApiBaseUrl: cqcApiBaseUrl(node.tryGetContext('cqcApiBaseUrl')),
  };
}
