import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ProblemError } from '#shared/model/errors';
import type { WafSettings } from '../stage';

/** The web ACL's rules, in the order WAF evaluates them. */
export const WAF_RULES = {
  /** Requests to the API from one address in 5 minutes, over the limit. */
  rateLimit: 'RateLimitPerIp',
  /** AWS's baseline for web applications (OWASP-style: bad bots, LFI/RFI, XSS, oversized parts, metadata SSRF). */
  common: 'AWSManagedRulesCommonRuleSet',
  /** Request patterns known to be malicious (Log4j/Log4Shell, Java deserialization, localhost host headers). */
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
} as const;

/**
 * The common rule set's rule that blocks a body over 8 KB. The API takes bigger ones on purpose (a bulk
 * upload of returns as CSV, up to its own limit, which the route checks), so this rule only ever counts.
 */
export const COUNTED_ALWAYS = ['SizeRestrictions_BODY'] as const;

/** The body WAF answers a rate-limited request with: the API's problem shape (WAF can label it only application/json). */
export const TOO_MANY_REQUESTS = (() => {
  const problem = new ProblemError({
    status: 429,
    title: 'Too many requests',
    slug: 'too-many-requests',
    detail: 'Too many requests from your network address in the last few minutes: wait, then try again.',
  });
  return { type: problem.type, title: problem.title, status: problem.status, detail: problem.message };
})();

export interface EdgeFirewallProps {
  /** Names the web ACL and its metrics (`capacity-tracker-<stage>`). */
  name: string;
  settings: WafSettings;
}

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  // The last 3 hours' matches, in the WAF console: what a rule would block while it only counts. Not
  // logs, and not kept (full WAF logging would keep every address and header, tokens included).
  sampledRequestsEnabled: true,
});

/**
 * The CloudFront web ACL (scope CLOUDFRONT, so its stack is in us-east-1): a rate limit per address on
 * the API and AWS's managed common and known-bad-inputs rule groups. `settings.mode` decides whether the
 * rules act or only count: a new stage counts first, and blocks once the counts show no false positives.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    const blocking = props.settings.mode === 'block';
    const managed = (name: string, priority: number, ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[]): CfnWebACL.RuleProperty => ({
      name,
      priority,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ...(ruleActionOverrides ? { ruleActionOverrides } : {}) } },
      // `none` leaves the group's own actions (block); `count` turns every one of them into a count.
      overrideAction: blocking ? { none: {} } : { count: {} },
      visibilityConfig: visibility(`${props.name}-${name}`),
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: `Capacity Tracker - rate limit per address on /v1/, AWS managed common and known-bad-inputs rules, mode ${props.settings.mode}`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      customResponseBodies: {
        tooManyRequests: { contentType: 'APPLICATION_JSON', content: JSON.stringify(TOO_MANY_REQUESTS) },
      },
      rules: [
        {
          name: WAF_RULES.rateLimit,
          priority: 0,
          statement: {
            rateBasedStatement: {
              limit: props.settings.rateLimit,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              // The API only: the pages are cached files, and a page view fetches several of them.
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/v1/',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          action: blocking ? { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'tooManyRequests' } } } : { count: {} },
          visibilityConfig: visibility(`${props.name}-${WAF_RULES.rateLimit}`),
        },
        managed(
          WAF_RULES.common,
          1,
          COUNTED_ALWAYS.map((name) => ({ name, actionToUse: { count: {} } })),
        ),
        managed(WAF_RULES.knownBadInputs, 2),
      ],
    });
  }
}
