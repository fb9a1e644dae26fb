/** Settings of the local stack (DESIGN §3), read once from the environment. */
export interface LocalSettings {
  port: number;
  dataDir: string;
  inMemory: boolean;
}

export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, not ${env.PORT}`);
  return {
    port,
    dataDir: env.LOCAL_DATA_DIR || '.local',
    inMemory: env.LOCAL_IN_MEMORY === '1' || env.LOCAL_IN_MEMORY === 'true',
  };
}

/** Quiet, local-friendly Powertools: no X-Ray daemon, no EMF metrics on stdout, warnings and errors only. */
export function usePowertoolsLocalDefaults(): void {
  process.env.POWERTOOLS_SERVICE_NAME ??= 'capacity-tracker';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'WARN';
}
