import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { CQC_API_PRODUCTION_URL } from '#shared/model/settings';
import { TABLE_IDS, tables, type TableDefinition, type TableId } from '#shared/model/tables';

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
  /**
   * The site's own domain name (`-c siteDomain=capacity.example.org.uk`), served by the distribution with a
   * certificate for it: then `webBaseUrl` is `https://<siteDomain>`, known before the distribution exists,
   * so one deploy makes the site, the sign-in callbacks and the emails' links agree (after it, point the
   * name at the `SiteDomainTarget` output). Unset, the site is on the distribution's `*.cloudfront.net`.
   */
  siteDomain?: string;
  /**
   * An ACM certificate in us-east-1 for `siteDomain` (`-c siteCertificateArn=...`). Unset with a
   * `siteDomain`, the edge stack requests one, validated by DNS (the deploy waits for the record).
   */
  siteCertificateArn?: string;
  /** The CloudFront web ACL's settings (`-c wafMode=...`, `-c wafRateLimit=...`). */
  waf: WafSettings;
  /**
   * Where a staged change of a table's indexes has got (docs/operations.md, "Changing an index"):
   * `legacy`, the indexes an earlier version defined that the deployed table still has and keeps this
   * deploy (`-c legacyIndexes=byRegion,byCountry`); `pending`, indexes of the definitions not created yet
   * (`-c pendingIndexes=listingByCountry`). Both empty (the default): the tables exactly as defined.
   */
  indexes: IndexStages;
}

/** Index names by table: those kept from an earlier version, and those held back, this deploy. */
export interface IndexStages {
  legacy: Partial<Record<TableId, readonly string[]>>;
  pending: Partial<Record<TableId, readonly string[]>>;
}

/**
 * `count`: every rule only counts what it would block (CloudWatch metrics and sampled requests show what);
 * `block`: the rules act. A new stage starts counting; switch to `block` once the counts show no
 * false positives (docs/operations.md).
 */
export const WAF_MODES = ['count', 'block'] as const;
export type WafMode = (typeof WAF_MODES)[number];

export interface WafSettings {
  mode: WafMode;
  /** Requests to /v1/* from one IP address in any 5 minutes before the rate rule acts. */
  rateLimit: number;
}

/**
 * 1,000 API requests in 5 minutes from one address (3 a second, sustained): far more than a person at
 * the pages makes, and still room for a hospital's shared address with several discharge teams behind it.
 */
export const DEFAULT_WAF_RATE_LIMIT = 1_000;
/** AWS WAF's bounds for a rate-based rule's limit. */
const WAF_RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;

/** The address every email of the service comes from: reminders, and Cognito's when sent through SES. */
export function senderAddress(settings: Pick<StageSettings, 'senderDomain'>): string {
  return `capacity-tracker@${settings.senderDomain}`;
}

type FromContext = 'senderDomain' | 'webBaseUrl' | 'authDomainPrefix' | 'alarmEmail' | 'userEmailViaSes' | 'cqcApiBaseUrl' | 'siteDomain' | 'siteCertificateArn' | 'waf' | 'indexes';

const settings: Record<Stage, Omit<StageSettings, FromContext>> = {
  dev: { stage: 'dev', removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, logLevel: 'DEBUG' },
  prod: { stage: 'prod', removalPolicy: RemovalPolicy.RETAIN, deletionProtection: true, logLevel: 'INFO' },
};

/**
 * Placeholders on a reserved domain, so a dev synth works offline. Only the dev stage may keep them (or
 * any other reserved name): a real deployment sends email and signs users in, so every other stage must
 * be given its own (`assertDeployable`).
 */
export const DEFAULT_SENDER_DOMAIN = 'capacity-tracker.example';
export const DEFAULT_WEB_BASE_URL = 'https://capacity-tracker.example';
/** The stage that may keep the placeholders. */
const PLACEHOLDER_STAGE: Stage = 'dev';

/**
 * Names nobody can own (RFC 2606, RFC 6761): the placeholders, `.test`, `.invalid`, `localhost`, and the
 * example second-level domains. Mail from them bounces, and sign-in could not come back to them.
 */
export function isReservedDomain(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return /(^|\.)(example|invalid|test|localhost)$/.test(name) || /(^|\.)example\.(com|net|org)$/.test(name);
}

/** A DNS host name: labels of letters, digits and inner hyphens, at least two of them. */
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

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

/** A domain name setting (`-c senderDomain=...`, `-c siteDomain=...`): a host name, lower-cased. */
function domainName(value: unknown, name: string, example: string): string {
  const text = String(value).trim().toLowerCase().replace(/\.$/, '');
  if (!HOST_NAME.test(text)) throw new Error(`-c ${name}=${JSON.stringify(String(value))} is not a domain name, e.g. -c ${name}=${example}`);
  return text;
}

/** An ACM certificate for CloudFront: it must be in us-east-1, whatever the stage's region. */
const CLOUDFRONT_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/;

function siteCertificateArn(value: unknown, siteDomain: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  if (!siteDomain) throw new Error(`-c siteCertificateArn needs -c siteDomain: the certificate is for the site's own domain name`);
  if (!CLOUDFRONT_CERTIFICATE_ARN.test(text)) {
    throw new Error(`-c siteCertificateArn=${JSON.stringify(text)} is not an ACM certificate in us-east-1 (CloudFront takes certificates from there only), e.g. arn:aws:acm:us-east-1:123456789012:certificate/<id>`);
  }
  return text;
}

function wafSettings(mode: unknown, rateLimit: unknown): WafSettings {
  const chosenMode = mode ?? 'count';
  if (!WAF_MODES.some((known) => known === chosenMode)) throw new Error(`-c wafMode=${JSON.stringify(chosenMode)}: use -c wafMode=${WAF_MODES.join(' or -c wafMode=')}`);
  const limit = rateLimit === undefined ? DEFAULT_WAF_RATE_LIMIT : Number(rateLimit);
  if (!Number.isInteger(limit) || limit < WAF_RATE_LIMIT_RANGE.min || limit > WAF_RATE_LIMIT_RANGE.max) {
    throw new Error(`-c wafRateLimit=${JSON.stringify(rateLimit)}: requests per IP address in 5 minutes, a whole number from ${WAF_RATE_LIMIT_RANGE.min} to ${WAF_RATE_LIMIT_RANGE.max}`);
  }
  return { mode: chosenMode as WafMode, rateLimit: limit };
}

/**
 * What only a dev stage may leave as it is: the sender domain and the site's address must be real, or
 * prod would send reminders from a domain nobody owns and send users back, after signing in, to a site
 * that is not there. The message names the setting to give.
 */
function assertDeployable(stage: Stage, senderDomain: string, site: string, siteDomain: string | undefined): void {
  if (stage === PLACEHOLDER_STAGE) return;
  if (isReservedDomain(senderDomain)) {
    throw new Error(
      `-c senderDomain=${JSON.stringify(senderDomain)} is ${senderDomain === DEFAULT_SENDER_DOMAIN ? 'the placeholder' : 'a reserved example name'}: ` +
        `the ${stage} stage sends reminders from it. Give the domain whose DNS you control, e.g. -c senderDomain=tracker.example.org.uk`,
    );
  }
  if (siteDomain && isReservedDomain(siteDomain)) {
    throw new Error(`-c siteDomain=${JSON.stringify(siteDomain)} is a reserved example name: the ${stage} stage needs a domain whose DNS you control`);
  }
  const host = new URL(site).hostname;
  if (isReservedDomain(host)) {
    throw new Error(
      `-c webBaseUrl=${JSON.stringify(site)} is ${site === DEFAULT_WEB_BASE_URL ? 'the placeholder' : 'a reserved example address'}: ` +
        `the ${stage} stage's emails link there and sign-in returns there. Give the site's own domain with -c siteDomain=capacity.example.org.uk ` +
        `(one deploy: the distribution serves it), or the SiteUrl of an existing deployment with -c webBaseUrl=https://d1234abcd.cloudfront.net`,
    );
  }
}

/**
 * The site's address: from `-c siteDomain` when the site has its own name (then `-c webBaseUrl`, if given
 * too, must be the same origin), else `-c webBaseUrl`, else the placeholder.
 */
function siteAddress(webBaseUrlValue: unknown, siteDomain: string | undefined): string {
  if (!siteDomain) return webBaseUrl(webBaseUrlValue);
  const own = `https://${siteDomain}`;
  if (webBaseUrlValue !== undefined && webBaseUrl(webBaseUrlValue) !== own) {
    throw new Error(`-c webBaseUrl=${JSON.stringify(webBaseUrlValue)} and -c siteDomain=${JSON.stringify(siteDomain)} disagree: with a siteDomain the site is ${own}; leave webBaseUrl out`);
  }
  return own;
}

/**
 * `-c legacyIndexes=...` or `-c pendingIndexes=...`: comma-separated index names (or `table/index` where a
 * name is in more than one table), each one the table's legacy indexes (or its defined ones) have.
 */
function indexNames(value: unknown, flagName: 'legacyIndexes' | 'pendingIndexes'): Partial<Record<TableId, readonly string[]>> {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string') throw new Error(`-c ${flagName}=${JSON.stringify(value)}: give index names separated by commas`);
  const listOf = (definition: TableDefinition) => (flagName === 'legacyIndexes' ? (definition.legacyIndexes ?? []) : definition.indexes).map((index) => index.indexName);
  const chosen: Partial<Record<TableId, string[]>> = {};
  for (const entry of value.split(',').map((name) => name.trim()).filter(Boolean)) {
    const [tableName, indexName] = entry.includes('/') ? entry.split('/', 2) : [undefined, entry];
    const owners = TABLE_IDS.filter((id) => (tableName === undefined || id === tableName) && listOf(tables[id]).includes(indexName!));
    const what = flagName === 'legacyIndexes' ? 'an index an earlier version defined (a legacy index of shared/model/tables.ts)' : 'an index of shared/model/tables.ts';
    if (owners.length === 0) throw new Error(`-c ${flagName}: ${JSON.stringify(entry)} is not ${what}`);
    if (owners.length > 1) throw new Error(`-c ${flagName}: ${JSON.stringify(entry)} is in ${owners.join(' and ')}: name it as table/index`);
    (chosen[owners[0]!] ??= []).push(indexName!);
  }
  return chosen;
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
  const siteDomainValue: unknown = node.tryGetContext('siteDomain');
  const siteDomain = siteDomainValue === undefined || siteDomainValue === '' ? undefined : domainName(siteDomainValue, 'siteDomain', 'capacity.example.org.uk');
  const senderDomain = domainName(node.tryGetContext('senderDomain') ?? DEFAULT_SENDER_DOMAIN, 'senderDomain', 'tracker.example.org.uk');
  const site = siteAddress(node.tryGetContext('webBaseUrl'), siteDomain);
  assertDeployable(value, senderDomain, site, siteDomain);
  const certificateArn = siteCertificateArn(node.tryGetContext('siteCertificateArn'), siteDomain);
  return {
    ...settings[value],
    senderDomain,
    webBaseUrl: site,
    authDomainPrefix: authDomainPrefix(node.tryGetContext('authDomainPrefix'), value),
    ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
    userEmailViaSes: flag(node.tryGetContext('userEmailViaSes'), 'userEmailViaSes'),
    cqcApiBaseUrl: cqcApiBaseUrl(node.tryGetContext('cqcApiBaseUrl')),
    ...(siteDomain ? { siteDomain } : {}),
    ...(certificateArn ? { siteCertificateArn: certificateArn } : {}),
    waf: wafSettings(node.tryGetContext('wafMode'), node.tryGetContext('wafRateLimit')),
    indexes: { legacy: indexNames(node.tryGetContext('legacyIndexes'), 'legacyIndexes'), pending: indexNames(node.tryGetContext('pendingIndexes'), 'pendingIndexes') },
  };
}
