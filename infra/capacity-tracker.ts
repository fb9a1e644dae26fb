import { Tags, type App, type Environment } from 'aws-cdk-lib';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';
import { EDGE_REGION, EdgeStack } from './stacks/edge-stack';
import { stageSettingsFromContext } from './stage';

export interface CapacityTrackerStacks {
  data: DataStack;
  api: ApiStack;
  /** us-east-1: the CloudFront web ACL (and a site certificate), which CloudFront takes from there only. */
  edge: EdgeStack;
}

/** Shared by the CDK entry point and the assertion tests, so the tests check the app that is deployed. */
export function buildCapacityTracker(app: App, env: Environment = {}): CapacityTrackerStacks {
  const settings = stageSettingsFromContext(app.node);
  const prefix = `CapacityTracker-${settings.stage}`;
  const data = new DataStack(app, `${prefix}-Data`, { env, settings, description: `Capacity Tracker tables (${settings.stage})` });
  // Always us-east-1, in the same account as the others (or environment-agnostic as they are).
  const edge = new EdgeStack(app, `${prefix}-Edge`, {
    env: { ...(env.account ? { account: env.account } : {}), region: EDGE_REGION },
    settings,
    description: `Capacity Tracker CloudFront web ACL (${settings.stage})`,
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    settings,
    tables: data.tables,
    signIn: { userPool: data.userPool, webClient: data.webClient, updateLinkSecret: data.updateLinkSecret },
    cqcApiKeySecret: data.cqcApiKeySecret,
    edge: edge.references(settings),
    description: `Capacity Tracker HTTP API and functions (${settings.stage})`,
  });
  // The distribution reads the web ACL's ARN from the edge stack's outputs when it deploys.
  api.addStackDependency(edge, 'the distribution uses the web ACL of the edge stack (us-east-1)');
  Tags.of(app).add('project', 'capacity-tracker');
  Tags.of(app).add('stage', settings.stage);
  return { data, api, edge };
}
