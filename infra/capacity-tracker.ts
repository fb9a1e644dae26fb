import { Tags, type App, type Environment } from 'aws-cdk-lib';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';
import { stageSettingsFromContext } from './stage';

export interface CapacityTrackerStacks {
  data: DataStack;
  api: ApiStack;
}

/** Shared by the CDK entry point and the assertion tests, so the tests check the app that is deployed. */
export function buildCapacityTracker(app: App, env: Environment = {}): CapacityTrackerStacks {
  const settings = stageSettingsFromContext(app.node);
  const prefix = `CapacityTracker-${settings.stage}`;
  const data = new DataStack(app, `${prefix}-Data`, { env, settings, description: `Capacity Tracker tables (${settings.stage})` });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    settings,
    tables: data.tables,
    signIn: { userPool: data.userPool, webClient: data.webClient, updateLinkSecret: data.updateLinkSecret },
    cqcApiKeySecret: data.cqcApiKeySecret,
    description: `Capacity Tracker HTTP API and functions (${settings.stage})`,
  });
  Tags.of(app).add('project', 'capacity-tracker');
  Tags.of(app).add('stage', settings.stage);
  return { data, api };
}
