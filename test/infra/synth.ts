import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildCapacityTracker, type CapacityTrackerStacks } from '#infra/capacity-tracker';

/** One synth per stage costs seconds, so each test file builds a stage once and reads that template. */
export const SYNTH_TIMEOUT = 120_000;

/** The context `cdk synth` gives the app (feature flags, default stage), so the tests check what deploys. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

export function newApp(context: Record<string, unknown>): App {
  // An empty bundling-stacks list makes NodejsFunction skip esbuild; `npm run synth` covers real bundling.
  return new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
}

export interface SynthesizedStage {
  app: App;
  stacks: CapacityTrackerStacks;
  data: Template;
  api: Template;
}

export function synthStage(stage: 'dev' | 'prod', context: Record<string, unknown> = {}): SynthesizedStage {
  const app = newApp({ stage, ...context });
  const stacks = buildCapacityTracker(app);
  return { app, stacks, data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api) };
}
