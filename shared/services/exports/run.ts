import { scopeAreaRequest } from '#shared/model/access/area-scope';
import { toInstant } from '#shared/model/returns/report-date';
import { failExportJob, finishExportJob, recordExportProgress, startExportRun } from '#shared/repositories/export-jobs';
import { exportFileOf, writeExportFile } from '#shared/services/exports/file';
import { EXPORT_RUNS, type UserPrincipal } from '#shared/services/exports/jobs';
import { EXPORT_KINDS_BY_NAME } from '#shared/services/exports/kinds';

/**
 * One run of the worker for a job: marks it running (counting the run), streams the rows into the file,
 * and records the outcome. A failed run is thrown again so Lambda retries it; the last allowed one marks
 * the job failed first, so its owner is told instead of waiting.
 */
export async function runExportJob(exportId: string, now: () => Date = () => new Date()): Promise<'written' | 'nothing to do'> {
  const job = await startExportRun(exportId, toInstant(now()));
  if (!job) return 'nothing to do';
  const owner: UserPrincipal = { kind: 'user', userId: job.ownerId, role: job.ownerRole, areas: job.ownerAreas };
  const scope = scopeAreaRequest(owner, job.level, job.area);
  const file = exportFileOf(job.exportId, job);
  try {
    const { rows, bytes } = await writeExportFile(EXPORT_KINDS_BY_NAME[job.kind], scope, job, file, (so) => recordExportProgress(exportId, so));
    await finishExportJob(exportId, { rows, bytes, objectKey: file.key, filename: file.filename, at: toInstant(now()) });
    return 'written';
  } catch (error) {
    if ((job.attempts ?? 1) >= EXPORT_RUNS) {
      await failExportJob(exportId, `The export failed after ${EXPORT_RUNS} attempts; ask for it again.`, toInstant(now())).catch(() => undefined);
    }
    throw error;
  }
}
