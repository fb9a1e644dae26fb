import { randomUUID } from 'node:crypto';
import { scopeAreaRequest } from '#shared/model/access/area-scope';
import type { Principal } from '#shared/model/access/identity';
import { problems } from '#shared/model/errors';
import { exportWorkerFunction } from '#shared/model/async-functions';
import { londonDay, toInstant } from '#shared/model/returns/report-date';
import { EXPORT_RETENTION_DAYS, type ExportJob, type ExportRequest } from '#shared/model/schemas/exports';
import { listAreas } from '#shared/repositories/areas';
import { getExportJob, putExportJob, type ExportJobItem } from '#shared/repositories/export-jobs';

/** How long a download link works: long enough to start a download, short enough that a forwarded link soon dies. */
export const LINK_SECONDS = 15 * 60;
/** A first run and Lambda's retries: the last one to fail marks the job failed. */
export const EXPORT_RUNS = 1 + exportWorkerFunction.trigger.retryAttempts;

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

const asUser = (principal: Principal): UserPrincipal => {
  if (principal.kind !== 'user') throw problems.forbidden('Exports are for signed-in users.');
  return principal;
};

/**
 * Checks an export request as the synchronous reads check theirs (level and area agree, the area is the
 * caller's, the range is one the data can hold) and stores it as a pending job. Nothing is read from the
 * data yet: the worker does that.
 */
export async function newExportJob(principal: Principal, request: ExportRequest, now: Date): Promise<ExportJobItem> {
  const user = asUser(principal);
  const scope = scopeAreaRequest(user, request.level, request.area, 'body');
  const today = londonDay(now);
  if (request.to > today) throw problems.validation([{ path: 'to', message: `the data ends today (${today}); ask for days up to then` }]);
  if (request.area !== undefined && request.level === 'localAuthority' && user.role === 'commissioner') {
    // An authority inside the commissioner's region is theirs: the areas table says which region it is in.
    const parent = (await listAreas('localAuthority')).find((area) => area.code === request.area)?.parent;
    if (!scope.visible({ level: request.level, area: request.area, ...(parent ? { region: parent } : {}) })) {
      throw problems.forbidden(`Area ${request.area} is outside your areas (${user.areas.join(', ')}).`);
    }
  }
  const job: ExportJobItem = {
    exportId: randomUUID(),
    ...request,
    ownerId: user.userId,
    ownerRole: user.role,
    ownerAreas: user.areas,
    status: 'pending',
    createdAt: toInstant(now),
    expiresAtEpoch: Math.floor(now.getTime() / 1000) + EXPORT_RETENTION_DAYS * 86_400,
  };
  await putExportJob(job);
  return job;
}

/**
 * A run that started this long ago and has not finished has died (timed out, or its container went), and
 * no retry has begun since (Lambda retries within 3 minutes, and a retry restarts the clock).
 */
const RUN_DEADLINE_MS = (exportWorkerFunction.timeoutSeconds + 5 * 60) * 1000;
/** A job still pending after Lambda's longest wait for an event has been dead-lettered unrun. */
const PENDING_DEADLINE_MS = (exportWorkerFunction.trigger.maximumEventAgeSeconds + 5 * 60) * 1000;

/** The job as its owner sees it; anyone else is told there is no such export. */
export async function exportJobFor(principal: Principal, exportId: string, now: Date): Promise<ExportJobItem> {
  const job = await getExportJob(exportId);
  if (!job || principal.kind !== 'user' || job.ownerId !== principal.userId) throw problems.notFound(`No export ${exportId} of yours.`);
  // TTL deletes a job some time after it expires; its file is gone on time.
  if (job.expiresAtEpoch * 1000 <= now.getTime()) throw problems.notFound(`Export ${exportId} has expired (files are kept ${EXPORT_RETENTION_DAYS} days); ask for it again.`);
  return job;
}

/** What the API shows of a job; a ready one gets a fresh presigned link each time it is asked for. */
export async function exportView(job: ExportJobItem, now: Date, presign: (key: string, filename: string, seconds: number) => Promise<string>): Promise<ExportJob> {
  const age = (since: string | undefined) => (since === undefined ? 0 : now.getTime() - Date.parse(since));
  const died = (job.status === 'running' && age(job.startedAt) > RUN_DEADLINE_MS) || (job.status === 'pending' && age(job.createdAt) > PENDING_DEADLINE_MS);
  const status = died ? 'failed' : job.status;
  const base: ExportJob = {
    exportId: job.exportId,
    status,
    kind: job.kind,
    level: job.level,
    ...(job.area ? { area: job.area } : {}),
    from: job.from,
    to: job.to,
    format: job.format,
    compression: job.compression,
    createdAt: job.createdAt,
    ...(job.rows !== undefined ? { rows: job.rows } : {}),
    ...(job.error || died ? { error: job.error ?? 'The export stopped before it finished; ask for it again.' } : {}),
  };
  if (status !== 'ready' || !job.objectKey || !job.filename) return base;
  return {
    ...base,
    bytes: job.bytes ?? 0,
    filename: job.filename,
    url: await presign(job.objectKey, job.filename, LINK_SECONDS),
    expiresAt: toInstant(new Date(now.getTime() + LINK_SECONDS * 1000)),
  };
}
