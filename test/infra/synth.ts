import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildCapacityTracker, type CapacityTrackerStacks } from '#infra/capacity-tracker';

/** One synth per stage costs seconds, so each test file builds a stage once and reads that template. */
export const SYNTH_TIMEOUT = 120_000;

/** The context `cdk synth` gives the app (feature flags, default stage), so the tests check what deploys. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * What a stage other than dev must be given (it refuses the placeholders: infra/stage.ts), for the tests
 * that build prod without caring which domain it sends from or where its site is.
 */
export const DEPLOYABLE_SETTINGS = { senderDomain: 'tracker.example.org.uk', webBaseUrl: 'https://d1234abcd.cloudfront.net' } as const;

export function newApp(context: Record<string, unknown>): App {
  const dev = (context.stage ?? CDK_JSON_CONTEXT.stage) === 'dev';
  // With its own domain a stage's address is https://<siteDomain>: no webBaseUrl then.
  const deployable = dev ? {} : context.siteDomain !== undefined ? { senderDomain: DEPLOYABLE_SETTINGS.senderDomain } : DEPLOYABLE_SETTINGS;
  // An empty bundling-stacks list makes NodejsFunction skip esbuild; `npm run synth` covers real bundling.
  return new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...deployable, ...context } });
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
