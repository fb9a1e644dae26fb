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
  /** The domain reminder emails are sent from (an SES identity); `-c senderDomain=...`. */
  senderDomain: string;
  /** Where the web form is served; update links in reminder emails point there. `-c webBaseUrl=...`. */
  webBaseUrl: string;
  /** Where alarms are emailed (`-c alarmEmail=...`); unset, the topic has no subscriber until one is added. */
  alarmEmail?: string;
}

const settings: Record<Stage, Omit<StageSettings, 'senderDomain' | 'webBaseUrl' | 'alarmEmail'>> = {
  dev: { stage: 'dev', removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, logLevel: 'DEBUG' },
  prod: { stage: 'prod', removalPolicy: RemovalPolicy.RETAIN, deletionProtection: true, logLevel: 'INFO' },
};

/** Placeholders on a reserved domain, so a synth works offline; a real deployment passes its own. */
const DEFAULT_SENDER_DOMAIN = 'capacity-tracker.example';
const DEFAULT_WEB_BASE_URL = 'https://capacity-tracker.example';

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
  return {
    ...settings[value],
    senderDomain: String(node.tryGetContext('senderDomain') ?? DEFAULT_SENDER_DOMAIN),
    webBaseUrl: String(node.tryGetContext('webBaseUrl') ?? DEFAULT_WEB_BASE_URL),
    ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
  };
}
