import { App, type Environment } from 'aws-cdk-lib';
import { buildCapacityTracker } from './capacity-tracker';
import { addAwsSolutionsChecks } from './nag';

/** Synth must work without credentials: an unset account or region leaves the stacks environment-agnostic. */
function environmentFromProcess(): Environment {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  return { ...(account ? { account } : {}), ...(region ? { region } : {}) };
}

const app = new App();
buildCapacityTracker(app, environmentFromProcess());
addAwsSolutionsChecks(app);
