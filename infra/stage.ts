import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageSettings {
  stage: Stage;
  /** Applied to stateful resources: data and logs outlive a prod stack, a dev stack cleans up after itself. */
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
  logLevel: 'DEBUG' | 'INFO';
}

const settings: Record<Stage, StageSettings> = {
  dev: { stage: 'dev', removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, logLevel: 'DEBUG' },
  prod: { stage: 'prod', removalPolicy: RemovalPolicy.RETAIN, deletionProtection: true, logLevel: 'INFO' },
};

function isStage(value: unknown): value is Stage {
  return STAGES.some((stage) => stage === value);
}

/** A mistyped stage fails the synth rather than quietly deploying something with dev settings. */
export function stageSettingsFromContext(node: Node): StageSettings {
  const value: unknown = node.tryGetContext('stage') ?? 'dev';
  if (!isStage(value)) {
    throw new Error(`Unknown stage ${JSON.stringify(value)}: use -c stage=${STAGES.join(' or -c stage=')}`);
  }
  return settings[value];
}
