import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The AwsSolutions rule pack, run on every synth (`npm run synth`, the assertion tests): a finding that
 * is neither fixed nor acknowledged with a reason stops the synth.
 */
export function addAwsSolutionsChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * Acknowledges cdk-nag findings on a construct (and what it contains), each with the reason it is
 * accepted. Rule ids are cdk-nag's, e.g. `AwsSolutions-L1` or `AwsSolutions-IAM5[Resource::*]`.
 */
export function acknowledge(scope: IConstruct, reasons: Record<string, string>): void {
  for (const [id, reason] of Object.entries(reasons)) Validations.of(scope).acknowledge({ id, reason });
}
