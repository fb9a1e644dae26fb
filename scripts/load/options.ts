import { parseArgs } from 'node:util';

export interface KillFault {
  /** How many times DynamoDB Local is killed (SIGKILL), spread evenly over the run. */
  times: number;
  /** How long it stays down each time before it is started again on its port and data. */
  downSeconds: number;
}

export interface CrashFault {
  /** How many times the aggregator's process is killed part-way through a batch before it runs clean. */
  times: number;
  /** Each life dies part-way through the batch of its n-th record, after applying the batch up to it (LOCAL_FAULTS=crash:<n>). */
  afterRecords: number;
  /** When the aggregator's process first starts, so a backlog has built up; default a quarter into the run. */
  startAfterSeconds?: number;
}

export interface Faults {
  kill?: KillFault;
  /** Share of the handlers' DynamoDB calls rejected as throttled (LOCAL_FAULTS=throttle:<share>). */
  throttle?: number;
  crash?: CrashFault;
}

export interface LoadOptions {
  providers: number;
  seconds: number;
  locations: number;
  /** Start a stack of its own (in memory; on disk when DynamoDB Local is to be killed) instead of attaching to `npm start`'s. */
  self: boolean;
  faults: Faults;
  /** How long to wait for the stream poller to catch up after the load. */
  drainSeconds: number;
  /** How long a provider keeps retrying one write (with its Idempotency-Key) before it counts its answer as lost. */
  retrySeconds: number;
  /** Keep the --self stack's data folder afterwards. */
  keep: boolean;
  /** Write the figures and checks as JSON here. */
  json?: string;
  /** Nothing on stdout but the report (tests: nothing at all). */
  quiet: boolean;
  seed: number;
  /**
   * Submissions a second, open loop (`--rate`): each the first return of a fresh location-day, sent at its
   * time whatever the earlier ones' answers (open-loop.ts); instead of the providers' closed loop.
   */
  rate?: number;
  /** --self: the gateway's bound on requests in flight (default: npm start's with --rate, none without). */
  maxInFlight?: number;
}

export const USAGE = `npm run load -- [options]

  --providers N     simulated providers, each signed in as a provider user of its locations (default 50)
  --seconds T       how long they submit (default 30)
  --locations L     load locations seeded into the directory, shared out among the providers (default 30000)
  --self            start a stack of its own (in memory) instead of using the one \`npm start\` is running
  --faults LIST     inject faults (implies --self), comma-separated:
                      kill[:DOWN]      SIGKILL DynamoDB Local mid-load, restart it after DOWN s (default 5) on disk
                      throttle[:SHARE] reject SHARE of the handlers' DynamoDB calls as throttled (default 0.2)
                      crash[:N]        run the aggregator in a process of its own and SIGKILL it part-way through
                                       the batch of its N-th record, after applying the batch up to it (default 150)
  --kills K         times DynamoDB Local is killed (default 1)
  --crashes C       times the aggregator is crashed (default 2)
  --drain S         seconds to wait for the aggregates to catch up afterwards (default 180)
  --retry S         seconds a provider keeps retrying one write with its Idempotency-Key (default 60)
  --rate R          open loop instead: R submissions a second (each the first return of a fresh location-day,
                    sent at its time whatever the earlier answers), reporting what was taken (201) and shed
                    (429), answer times, and when each taken one was counted in the aggregates
  --max-in-flight N with --self: the gateway's bound on requests in flight (default: npm start's with --rate,
                    none without; LOCAL_MAX_IN_FLIGHT)
  --json PATH       also write the figures and checks as JSON
  --keep            keep the --self stack's data folder
  --seed N          random seed (default: from the clock)
`;

function positive(name: string, value: string | undefined, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) throw new Error(`--${name} must be a positive ${integer ? 'whole ' : ''}number, not ${value}`);
  return number;
}

export function parseFaults(list: string | undefined, kills: number, crashes: number): Faults {
  const faults: Faults = {};
  for (const entry of (list ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name, value] = entry.split(':');
    if (name === 'kill') faults.kill = { times: kills, downSeconds: positive('faults kill', value, 5, false) };
    else if (name === 'throttle') {
      const share = value === undefined ? 0.2 : Number(value);
      if (!(share > 0 && share < 1)) throw new Error(`--faults throttle:SHARE needs a share between 0 and 1, not ${value}`);
      faults.throttle = share;
    } else if (name === 'crash') faults.crash = { times: crashes, afterRecords: positive('faults crash', value, 150) };
    else throw new Error(`--faults: no fault "${name}" (kill, throttle, crash)`);
  }
  return faults;
}

export function parseLoadOptions(argv: string[]): LoadOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      providers: { type: 'string' },
      seconds: { type: 'string' },
      locations: { type: 'string' },
      self: { type: 'boolean' },
      faults: { type: 'string' },
      kills: { type: 'string' },
      crashes: { type: 'string' },
      drain: { type: 'string' },
      retry: { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      quiet: { type: 'boolean' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      'max-in-flight': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const faults = parseFaults(values.faults, positive('kills', values.kills, 1), positive('crashes', values.crashes, 2));
  const options: LoadOptions = {
    providers: positive('providers', values.providers, 50),
    seconds: positive('seconds', values.seconds, 30, false),
    locations: positive('locations', values.locations, 30_000),
    self: Boolean(values.self) || Object.keys(faults).length > 0,
    faults,
    drainSeconds: positive('drain', values.drain, 180, false),
    retrySeconds: positive('retry', values.retry, 60, false),
    keep: Boolean(values.keep),
    quiet: Boolean(values.quiet),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : positive('seed', values.seed, 1),
    ...(values.json ? { json: values.json } : {}),
    ...(values.rate !== undefined ? { rate: positive('rate', values.rate, 1, false) } : {}),
    ...(values['max-in-flight'] !== undefined ? { maxInFlight: positive('max-in-flight', values['max-in-flight'], 1) } : {}),
  };
  if (options.rate !== undefined && Object.keys(faults).length > 0) throw new Error('--rate runs without faults: leave out --faults');
  if (options.locations < options.providers) throw new Error(`--locations (${options.locations}) must be at least --providers (${options.providers}): each provider needs a location`);
  return options;
}
