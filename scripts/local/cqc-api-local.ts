import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { CqcLocation } from '#shared/model/directory/cqc';
import { REPO_ROOT } from './lambda-runtime';

/**
 * A stand-in for the CQC Syndication API on a loopback port, for `npm start` and the tests: the two
 * endpoints the sync calls, answered from location records it holds, as a real HTTP server (so the client
 * is tested with its real fetch, headers, paging and retries, never a mock of it).
 *
 * - `GET /public/v1/changes/location?startTimestamp=&endTimestamp=&page=&perPage=`: the IDs of the records
 *   changed in [start, end), oldest change first, in real pages
 *   (`{ total, page, perPage, totalPages, startTimestamp, endTimestamp, changes, ...PageUri }`);
 * - `GET /public/v1/locations/{id}`: the record, or 404 for an ID it has none for (a removed one);
 * - every request without the subscription key (`Ocp-Apim-Subscription-Key`) gets 401;
 * - `inject` makes chosen requests answer 429 (with Retry-After) or 5xx instead.
 *
 * Its records are the real CQC sample in `../shared/data/cqc/` when that is there (never copied into the
 * repository), else a tiny built-in set, so `npm start` works without it. They all count as changed at
 * `changedAt` (default: just before the server started); `put` and `remove` change one at a given instant.
 */
export const CQC_SAMPLE = join(REPO_ROOT, '..', 'shared', 'data', 'cqc', 'devon-somerset-care-homes-2021.jsonl');

/** Two made-up care homes (IDs no CQC location has), for when the real sample is not beside the repository. */
export const BUILT_IN_RECORDS: readonly CqcLocation[] = [
  {
    locationId: '1-000000001',
    providerId: '1-000000002',
    name: 'Example House (built-in sample)',
    registrationStatus: 'Registered',
    dormancy: 'N',
    numberOfBeds: 30,
    careHome: 'Y',
    localAuthority: 'Plymouth',
    region: 'South West',
    postalCode: 'PL1 1AA',
    postalAddressTownCity: 'Plymouth',
    gacServiceTypes: [{ name: 'Residential homes', description: 'Care home service without nursing' }],
    specialisms: [{ name: 'Dementia' }],
  },
  {
    locationId: '1-000000003',
    providerId: '1-000000002',
    name: 'Example Nursing Home (built-in sample)',
    registrationStatus: 'Registered',
    dormancy: 'N',
    numberOfBeds: 45,
    careHome: 'Y',
    localAuthority: 'Torbay',
    region: 'South West',
    postalCode: 'TQ1 1AA',
    postalAddressTownCity: 'Torquay',
    gacServiceTypes: [{ name: 'Nursing homes', description: 'Care home service with nursing' }],
    specialisms: [],
  },
];

/**
 * The records `npm start` serves: the real sample when it is there, else the built-in pair. (Read here,
 * not with the importer's reader: this module loads with the local stack, before DYNAMODB_ENDPOINT is set,
 * and must not load the DynamoDB client.)
 */
export function defaultCqcRecords(): { records: CqcLocation[]; source: string } {
  if (existsSync(CQC_SAMPLE)) {
    const lines = readFileSync(CQC_SAMPLE, 'utf8').split('\n').filter((line) => line.trim() !== '');
    return { records: lines.map((line) => JSON.parse(line) as CqcLocation), source: CQC_SAMPLE };
  }
  return { records: [...BUILT_IN_RECORDS], source: 'a built-in sample of 2 (../shared/data/cqc is not there)' };
}

/**
 * The local stand-in's subscription key, kept in a file (under .local/) as the sync reads it locally
 * (CQC_API_KEY_FILE): made up the first time, the same after that.
 */
export function localCqcApiKey(file: string): string {
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key) return key;
  }
  const key = randomBytes(24).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

export interface CqcApiFault {
  /** 429, or a 5xx. */
  status: number;
  /** With a 429: the Retry-After header (seconds, or an HTTP date). */
  retryAfter?: number | string;
  /** Only requests whose path (after /public/v1) starts with this, or matches it; any by default. */
  path?: string | RegExp;
  /** Let this many matching requests through first (0: the next one is hit). */
  after?: number;
  /** How many matching requests in a row get the fault (default 1; Infinity: until `clearFaults`). */
  times?: number;
}

export interface CqcApiRequest {
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface CqcApiLocal {
  /** The base URL the client takes (CQC_API_BASE_URL): `http://127.0.0.1:<port>/public/v1`. */
  url: string;
  key: string;
  /** How many records it holds. */
  size(): number;
  /** Add or replace a record, as changed at `at` (default now). */
  put(record: CqcLocation, at?: Date): void;
  /** Take a record away (GET answers 404), still listed as changed at `at`. */
  remove(locationId: string, at?: Date): void;
  inject(fault: CqcApiFault): void;
  clearFaults(): void;
  /** Every request answered, oldest first. */
  requests: CqcApiRequest[];
  stop(): Promise<void>;
}

export interface CqcApiLocalOptions {
  /** The subscription key it accepts. */
  key: string;
  /** Default: `defaultCqcRecords()`. */
  records?: readonly CqcLocation[];
  /** When the records given count as changed (default: a second before now). */
  changedAt?: Date;
  /** Default 0: a free port. */
  port?: number;
}

interface Held {
  id: string;
  record: CqcLocation | undefined;
  changedAt: number;
}

const PREFIX = '/public/v1';
const MAX_PER_PAGE = 10_000;

export async function startCqcApiLocal(options: CqcApiLocalOptions): Promise<CqcApiLocal> {
  const held = new Map<string, Held>();
  // By default a second before the start, to the second: a sync run straight after starting (whose window
  // ends at the current second) sees them.
  const initialAt = options.changedAt?.getTime() ?? Math.floor(Date.now() / 1000) * 1000 - 1000;
  for (const record of options.records ?? defaultCqcRecords().records) {
    if (record.locationId) held.set(record.locationId, { id: record.locationId, record, changedAt: initialAt });
  }
  let faults: Array<Required<Pick<CqcApiFault, 'status' | 'after' | 'times'>> & CqcApiFault> = [];
  const requests: CqcApiRequest[] = [];

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(body));
  };

  const faultFor = (path: string) => {
    for (const fault of faults) {
      const matches = fault.path === undefined || (typeof fault.path === 'string' ? path.startsWith(fault.path) : fault.path.test(path));
      if (!matches) continue;
      if (fault.after > 0) {
        fault.after -= 1;
        continue;
      }
      fault.times -= 1;
      faults = faults.filter((f) => f.times > 0);
      return fault;
    }
    return undefined;
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
      requests.push({ path, query, status });
      send(response, status, body, headers);
    };
    if (request.method !== 'GET' || !url.pathname.startsWith(PREFIX)) return answer(404, { statusCode: 404, message: 'Resource not found' });
    if (request.headers['ocp-apim-subscription-key'] !== options.key) {
      return answer(401, { statusCode: 401, message: 'Access denied due to missing or invalid subscription key. Make sure to provide a valid key for an active subscription.' });
    }
    const fault = faultFor(path);
    if (fault) {
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      return answer(fault.status, { statusCode: fault.status, message: fault.status === 429 ? 'Rate limit is exceeded. Try again later.' : 'Internal server error' }, headers);
    }

    if (path === '/changes/location') {
      const start = Date.parse(query.startTimestamp ?? '');
      const end = Date.parse(query.endTimestamp ?? '');
      if (Number.isNaN(start) || Number.isNaN(end)) return answer(400, { statusCode: 400, message: 'startTimestamp and endTimestamp are required (ISO 8601)' });
      const page = Number(query.page ?? 1);
      const perPage = Number(query.perPage ?? 1000);
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
        return answer(400, { statusCode: 400, message: `page must be 1 or more, perPage 1 to ${MAX_PER_PAGE}` });
      }
      const changed = [...held.values()]
        .filter((entry) => entry.changedAt >= start && entry.changedAt < end)
        .sort((a, b) => a.changedAt - b.changedAt || a.id.localeCompare(b.id))
        .map((entry) => entry.id);
      const totalPages = Math.ceil(changed.length / perPage);
      const link = (n: number) => `/changes/location?startTimestamp=${query.startTimestamp}&endTimestamp=${query.endTimestamp}&page=${n}&perPage=${perPage}`;
      return answer(200, {
        total: changed.length,
        page,
        perPage,
        totalPages,
        startTimestamp: query.startTimestamp,
        endTimestamp: query.endTimestamp,
        firstPageUri: link(1),
        ...(page < totalPages ? { nextPageUri: link(page + 1) } : {}),
        ...(page > 1 ? { previousPageUri: link(page - 1) } : {}),
        lastPageUri: link(Math.max(totalPages, 1)),
        changes: changed.slice((page - 1) * perPage, page * perPage),
      });
    }
    const location = /^\/locations\/([^/]+)$/.exec(path);
    if (location) {
      const record = held.get(decodeURIComponent(location[1]!))?.record;
      return record ? answer(200, record) : answer(404, { statusCode: 404, message: 'Resource not found' });
    }
    return answer(404, { statusCode: 404, message: 'Resource not found' });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${PREFIX}`,
    key: options.key,
    size: () => [...held.values()].filter((entry) => entry.record).length,
    put: (record, at = new Date()) => {
      if (!record.locationId) throw new Error('a record needs a locationId to be served');
      held.set(record.locationId, { id: record.locationId, record, changedAt: at.getTime() });
    },
    remove: (locationId, at = new Date()) => {
      held.set(locationId, { id: locationId, record: undefined, changedAt: at.getTime() });
    },
    inject: (fault) => {
      faults.push({ ...fault, after: fault.after ?? 0, times: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults = [];
    },
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
