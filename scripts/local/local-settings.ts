/** Settings of the local stack (DESIGN §3), read once from the environment. */
export interface LocalSettings {
  port: number;
  dataDir: string;
  inMemory: boolean;
  /** API requests the gateway lets be in flight at once before it answers 429 (LOCAL_MAX_IN_FLIGHT); undefined: no bound. */
  maxInFlight: number | undefined;
}

/**
 * The default bound on API requests in flight at once for `npm start`. On a 2-core machine DynamoDB Local
 * (Java) and the stack's one Node process share the cores, and DynamoDB Local takes 25–35 writes a second
 * whatever the concurrency: past a few at once a write only waits longer, and the aggregator, which needs
 * DynamoDB Local too, falls behind. At 100 submissions a second, 6 in flight took as many as 8 or 12
 * (27–30 a second), answered sooner and kept the aggregates within a second; 4 took fewer. Measured with
 * `npm run load -- --rate 100` and `npm run bench` (section `shed`).
 */
export const DEFAULT_MAX_IN_FLIGHT = 6;

function maxInFlightFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return DEFAULT_MAX_IN_FLIGHT;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`LOCAL_MAX_IN_FLIGHT must be a whole number (0: no bound), not ${value}`);
  return number === 0 ? undefined : number;
}

export function localSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, not ${env.PORT}`);
  return {
    port,
    dataDir: env.LOCAL_DATA_DIR || '.local',
    inMemory: env.LOCAL_IN_MEMORY === '1' || env.LOCAL_IN_MEMORY === 'true',
    maxInFlight: maxInFlightFrom(env.LOCAL_MAX_IN_FLIGHT),
  };
}

export { usePowertoolsLocalDefaults } from './powertools-defaults.mjs';
