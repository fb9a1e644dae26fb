import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import type { ExportRequest, ExportStatus } from '#shared/model/schemas/exports';
import type { Role } from '#shared/model/schemas/common';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

const TABLE = () => tableName('exports');

/** An export job as stored: the request, who asked (and what they could see then), and the outcome. */
export interface ExportJobItem extends Required<Omit<ExportRequest, 'area'>> {
  exportId: string;
  area?: string;
  ownerId: string;
  /** The caller's role and areas when they asked: the worker scopes the rows by them. */
  ownerRole: Role;
  ownerAreas: string[];
  status: ExportStatus;
  createdAt: string;
  /** Runs started, counting Lambda's retries: the last allowed run that fails marks the job failed. */
  attempts?: number;
  startedAt?: string;
  finishedAt?: string;
  rows?: number;
  bytes?: number;
  objectKey?: string;
  filename?: string;
  error?: string;
  /** TTL: the job goes when its file does. */
  expiresAtEpoch: number;
}

export async function putExportJob(job: ExportJobItem): Promise<void> {
  await dynamo.send(new PutCommand({ TableName: TABLE(), Item: job, ConditionExpression: 'attribute_not_exists(exportId)' }));
}

export async function getExportJob(exportId: string, consistent = false): Promise<ExportJobItem | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.exportJob(exportId), ConsistentRead: consistent }));
  return Item as ExportJobItem | undefined;
}

/**
 * A run begins: counts the attempt and marks the job running, unless it has already finished (a retry
 * delivered after a run that succeeded, or an event redelivered). Answers the job as it now is, or
 * undefined when there is nothing to do.
 */
export async function startExportRun(exportId: string, at: string): Promise<ExportJobItem | undefined> {
  try {
    const { Attributes } = await dynamo.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: keys.exportJob(exportId),
        UpdateExpression: 'SET #status = :running, startedAt = :at, #rows = :zero ADD attempts :one',
        ConditionExpression: 'attribute_exists(exportId) AND #status IN (:pending, :running)',
        ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows' },
        ExpressionAttributeValues: { ':running': 'running', ':pending': 'pending', ':at': at, ':zero': 0, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as ExportJobItem;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/** How far a running job has got (for the page's progress). */
export async function recordExportProgress(exportId: string, rows: number): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: TABLE(),
      Key: keys.exportJob(exportId),
      UpdateExpression: 'SET #rows = :rows',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#rows': 'rows', '#status': 'status' },
      ExpressionAttributeValues: { ':rows': rows, ':running': 'running' },
    }),
  );
}

export async function finishExportJob(exportId: string, outcome: { rows: number; bytes: number; objectKey: string; filename: string; at: string }): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: TABLE(),
      Key: keys.exportJob(exportId),
      UpdateExpression: 'SET #status = :ready, #rows = :rows, bytes = :bytes, objectKey = :key, filename = :filename, finishedAt = :at',
      ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows' },
      ExpressionAttributeValues: { ':ready': 'ready', ':rows': outcome.rows, ':bytes': outcome.bytes, ':key': outcome.objectKey, ':filename': outcome.filename, ':at': outcome.at },
    }),
  );
}

export async function failExportJob(exportId: string, error: string, at: string): Promise<void> {
  await dynamo.send(
    new UpdateCommand({
      TableName: TABLE(),
      Key: keys.exportJob(exportId),
      UpdateExpression: 'SET #status = :failed, #error = :error, finishedAt = :at',
      ConditionExpression: '#status <> :ready',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':ready': 'ready', ':error': error, ':at': at },
    }),
  );
}
