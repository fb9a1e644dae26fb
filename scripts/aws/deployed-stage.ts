import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { STAGES, type Stage } from '#infra/stage';
import { TABLE_IDS, tableOutputKey, tables } from '#shared/model/tables';

/** The data stack of a stage, as the CDK app names it. */
export function dataStackName(stage: Stage): string {
  return `CapacityTracker-${stage}-Data`;
}

export function parseStage(value: string): Stage {
  const stage = STAGES.find((known) => known === value);
  if (!stage) throw new Error(`Unknown stage ${JSON.stringify(value)}: use ${STAGES.join(' or ')}`);
  return stage;
}

/**
 * The table environment (LOCATIONS_TABLE=...) from the data stack's outputs. Every table must be there:
 * a stack deployed before the outputs existed is named, so the operator knows to redeploy it.
 */
export function tableEnvironmentFromOutputs(outputs: readonly Output[], stackName: string): Record<string, string> {
  const byKey = new Map(outputs.map((output) => [output.OutputKey, output.OutputValue]));
  const missing = TABLE_IDS.filter((id) => !byKey.get(tableOutputKey(id)));
  if (missing.length > 0) {
    throw new Error(`${stackName} has no output for the ${missing.join(', ')} table(s): deploy the current version of the stack first`);
  }
  return Object.fromEntries(TABLE_IDS.map((id) => [tables[id].envVar, byKey.get(tableOutputKey(id)) as string]));
}

/** The outputs of a stage's data stack, read with the SDK's usual credentials and region. */
async function dataStackOutputs(stage: Stage): Promise<{ stackName: string; region: string; outputs: Output[] }> {
  const stackName = dataStackName(stage);
  const client = new CloudFormationClient({});
  try {
    const region = await client.config.region();
    const found = await client.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: unknown) => {
      throw new Error(`Cannot read the stack ${stackName} in ${region}: ${error instanceof Error ? error.message : String(error)}`);
    });
    return { stackName, region, outputs: found.Stacks?.[0]?.Outputs ?? [] };
  } finally {
    client.destroy();
  }
}

/**
 * Point this process at a deployed stage's tables: the SDK's usual credentials and region (AWS_PROFILE,
 * AWS_REGION), the table names read from the stage's data stack. Returns a description.
 */
export async function useDeployedStage(stage: Stage): Promise<string> {
  const { stackName, region, outputs } = await dataStackOutputs(stage);
  Object.assign(process.env, tableEnvironmentFromOutputs(outputs, stackName));
  return `the ${stage} stage in ${region} (${stackName})`;
}

/** One output of a stage's data stack (e.g. the CQC API key's secret), or a message naming what to deploy. */
export async function dataStackOutput(stage: Stage, key: string): Promise<string> {
  const { stackName, outputs } = await dataStackOutputs(stage);
  const value = outputs.find((output) => output.OutputKey === key)?.OutputValue;
  if (!value) throw new Error(`${stackName} has no output ${key}: deploy the current version of the stack first`);
  return value;
}
