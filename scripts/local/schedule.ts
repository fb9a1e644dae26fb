import { nextRun, type ScheduleDefinition } from '#shared/model/schedules';

/**
 * Runs a scheduled job locally on the cadence EventBridge would: every hour at the definition's minute,
 * or once a day at its hour and minute. A run that is still going when the next is due is not started
 * twice from here; the jobs are safe to overlap anyway.
 */
export function startSchedule(definition: ScheduleDefinition, run: () => Promise<void>, log: (line: string) => void): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const next = () => {
    const now = new Date();
    timer = setTimeout(async () => {
      if (!running) {
        running = true;
        try {
          await run();
        } catch (error) {
          log(`${definition.id}: run failed: ${(error as Error).message}`);
        } finally {
          running = false;
        }
      }
      next();
    }, nextRun(definition, now).getTime() - now.getTime());
    timer.unref();
  };
  next();
  return { stop: () => clearTimeout(timer) };
}
