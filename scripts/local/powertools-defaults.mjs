// Quiet, local-friendly Powertools: no X-Ray daemon, no EMF metrics on stdout, warnings and errors only.
// Plain JavaScript, so `launch.mjs` can set them before it loads the build: Powertools reads them when its
// Logger and Metrics are made, and esbuild's code splitting does not keep the order modules run in.
export function usePowertoolsLocalDefaults() {
  process.env.POWERTOOLS_SERVICE_NAME ??= 'capacity-tracker';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'WARN';
}
