import { GetCommand, PutCommand, type GetCommandInput, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

/** Read at first use (settings are never read when a module loads). */
const TABLE = () => tableName('syncCheckpoints');

export type SyncJob = Parameters<typeof keys.syncCheckpoint>[0];

export interface SyncCheckpoint {
  job: SyncJob;
  /** The end of the last window the job finished (ISO 8601 UTC): the next window starts here. */
  syncedTo: string;
  /** When it was moved, and what the window that moved it held. */
  updatedAt: string;
  window?: { start: string; changes: number };
}

/** Named access pattern "a sync's checkpoint" (strongly consistent: a run starts from exactly where the last ended). */
export function getCheckpointRequest(job: SyncJob, table = TABLE()): GetCommandInput {
  return { TableName: table, Key: keys.syncCheckpoint(job), ConsistentRead: true };
}

/**
 * Named access pattern "move a sync's checkpoint forward": a put conditional on the stored `syncedTo`
 * being earlier (or there being none), so two runs at once, or a late run, can never move it back.
 * ISO instants in one format compare as strings.
 */
export function advanceCheckpointRequest(checkpoint: SyncCheckpoint, table = TABLE()): PutCommandInput {
  return {
    TableName: table,
    Item: { ...checkpoint, ...keys.syncCheckpoint(checkpoint.job) },
    ConditionExpression: 'attribute_not_exists(#job) OR #syncedTo < :syncedTo',
    ExpressionAttributeNames: { '#job': 'job', '#syncedTo': 'syncedTo' },
    ExpressionAttributeValues: { ':syncedTo': checkpoint.syncedTo },
  };
}

export async function getSyncCheckpoint(job: SyncJob): Promise<SyncCheckpoint | undefined> {
  const { Item } = await dynamo.send(new GetCommand(getCheckpointRequest(job)));
  if (!Item || typeof Item.syncedTo !== 'string') return undefined;
  return Item as SyncCheckpoint;
}

/** Move the checkpoint to `syncedTo`; false when it already stood there or later (left as it was). */
export async function advanceSyncCheckpoint(checkpoint: SyncCheckpoint): Promise<boolean> {
  try {
    await dynamo.send(new PutCommand(advanceCheckpointRequest(checkpoint)));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
