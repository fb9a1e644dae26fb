import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { EdgeFirewall } from '../constructs/edge-firewall';
import type { StageSettings } from '../stage';

/** Where CloudFront takes its web ACLs and certificates from, whatever the stage's region. */
export const EDGE_REGION = 'us-east-1';

/** The outputs the Api stack reads (by `Fn::GetStackOutput`, across regions). */
export const EDGE_OUTPUTS = { webAclArn: 'WebAclArn', siteCertificateArn: 'SiteCertificateArn' } as const;

export interface EdgeStackProps extends StackProps {
  settings: StageSettings;
}

/** What the distribution (Api stack) takes from the edge stack: values read at deploy time. */
export interface EdgeReferences {
  webAclArn: string;
  /** With `-c siteDomain`: the certificate the distribution serves the domain with. */
  siteCertificateArn?: string;
}

/**
 * What CloudFront needs from us-east-1, in a small stack of its own there: the web ACL, and with a
 * `siteDomain` and no `siteCertificateArn`, the site's certificate (DNS-validated: the deploy waits
 * until the validation record CloudFormation shows is in the domain's DNS).
 *
 * The Api stack reads its outputs with `Fn::GetStackOutput` and a region, not with CDK's cross-region
 * references: those need both stacks bound to an explicit region at synth (a synth here works without
 * credentials, environment-agnostic) and, when strong, a custom resource and its Lambda in each stack.
 * The Api stack depends on this one, so `cdk deploy --all` deploys it first.
 */
export class EdgeStack extends Stack {
  readonly firewall: EdgeFirewall;
  readonly webAcl: CfnWebACL;
  readonly certificate?: Certificate;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    this.firewall = new EdgeFirewall(this, 'Firewall', { name: `capacity-tracker-${props.settings.stage}`, settings: props.settings.waf });
    this.webAcl = this.firewall.webAcl;
    new CfnOutput(this, EDGE_OUTPUTS.webAclArn, { value: this.webAcl.attrArn, description: 'The CloudFront web ACL (the Api stack reads it)' });
    if (props.settings.siteDomain && !props.settings.siteCertificateArn) {
      this.certificate = new Certificate(this, 'SiteCertificate', { domainName: props.settings.siteDomain, validation: CertificateValidation.fromDns() });
      new CfnOutput(this, EDGE_OUTPUTS.siteCertificateArn, { value: this.certificate.certificateArn, description: `The certificate of ${props.settings.siteDomain} (the Api stack reads it)` });
    }
  }

  /** The values as the Api stack (in any region) reads them when it deploys, after this stack. */
  references(settings: StageSettings): EdgeReferences {
    const read = (output: string) => Fn.getStackOutput(this.stackName, output, EDGE_REGION);
    const siteCertificateArn = settings.siteCertificateArn ?? (this.certificate ? read(EDGE_OUTPUTS.siteCertificateArn) : undefined);
    return { webAclArn: read(EDGE_OUTPUTS.webAclArn), ...(siteCertificateArn ? { siteCertificateArn } : {}) };
  }
}
