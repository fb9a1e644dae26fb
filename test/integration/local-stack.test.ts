import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '#scripts/local/gateway';
import { startCommand } from '#scripts/local/start-command';
import { designExample, returnPath, today } from '../helpers/api';
import { until } from '../helpers/wait';

const dataDir = mkdtempSync(join(tmpdir(), 'ct-stack-'));
const children: ChildProcess[] = [];

/**
 * `npm start` as a user runs it (package.json's start script: the esbuild-built stack under plain node,
 * built first if the sources are newer), on a free port with its own data folder.
 */
function startStack(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const { command, args } = startCommand();
  // As a user's shell starts it: none of the test run's own Powertools settings (its log level is CRITICAL).
  const userEnvironment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('POWERTOOLS_') && name !== 'LOG_LEVEL'));
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...userEnvironment, PORT: '0', LOCAL_DATA_DIR: dataDir, LOCAL_IN_MEMORY: '', DYNAMODB_ENDPOINT: '', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a failed test can take down node and Java together.
    detached: true,
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * Until `npm start` says it is running. The deadline is generous (a loaded machine is slow; only a failing
 * run waits it out), and a start that exits instead fails at once; either way with what it printed.
 */
async function running(stack: ReturnType<typeof startStack>, what: string): Promise<void> {
  const exited = () => stack.child.exitCode !== null || stack.child.signalCode !== null;
  try {
    await until(() => stack.output().includes('Capacity Tracker is running') || exited(), { timeoutMs: 150_000, intervalMs: 100, what });
  } catch (error) {
    throw new Error(`${(error as Error).message}; npm start printed:\n${stack.output().slice(-3000)}`);
  }
  if (!stack.output().includes('Capacity Tracker is running')) throw new Error(`npm start exited before ${what}; it printed:\n${stack.output().slice(-3000)}`);
}
// The aggregator has the demo data's returns to get through before it reaches this test's.
const waitForAsync = (check: () => Promise<boolean>, what: string) => until(check, { timeoutMs: 90_000, intervalMs: 100, what });

function stackInfo(): { gatewayUrl: string; dynamodbEndpoint: string; pid: number } {
  return JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8'));
}

afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

describe('npm start', () => {
  test('serves the seeded API, refuses a second copy, stops everything on Ctrl-C, and keeps data for the next run', async () => {
    const first = startStack();
    await running(first, 'the first start');
    const { gatewayUrl, dynamodbEndpoint, pid } = stackInfo();
    expect(first.output()).toContain('/local/token');
    // One Node process, running the build (not tsx), with DynamoDB Local's Java its only child.
    expect(pid).toBe(first.child.pid);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('scripts/local/launch.mjs');
    expect(first.output()).not.toContain('could not start');
    expect(existsSync(join(REPO_ROOT, '.build', 'local', 'current.json'))).toBe(true);

    const signIn = await fetch(`${gatewayUrl}/local/token`, { method: 'POST', body: JSON.stringify({ user: 'admin' }) });
    expect(signIn.status).toBe(200);
    const { token } = (await signIn.json()) as { token: string };
    const authorization = `Bearer ${token}`;
    expect((await fetch(`${gatewayUrl}/v1/locations`)).status).toBe(401);

    const listing = (await (await fetch(`${gatewayUrl}/v1/locations?limit=100`, { headers: { authorization } })).json()) as { items: Array<{ type: string; locationId: string; localAuthority: string }> };
    expect(listing.items.length).toBeGreaterThanOrEqual(50);
    expect(new Set(listing.items.map((l: { type: string }) => l.type))).toEqual(new Set(['careHome', 'hospice', 'communityRehab', 'substanceMisuse']));
    const careHome = listing.items.find((l) => l.type === 'careHome')!;
    const put = await fetch(gatewayUrl + returnPath(careHome.locationId, today()), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(designExample()),
    });
    expect(put.status).toBe(201); // the demo leaves today open for every home
    const correction = await fetch(gatewayUrl + returnPath(careHome.locationId, today()), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(designExample()),
    });
    expect(correction.status).toBe(200);
    const stored = (await correction.json()) as { version: number };
    expect(stored.version).toBe(2);

    // The stream carries it into the aggregates of its authority (the benchmark measures how fast).
    const national = (await (await fetch(`${gatewayUrl}/local/token`, { method: 'POST', body: JSON.stringify({ user: 'national' }) })).json()) as { token: string };
    const asNational = { authorization: `Bearer ${national.token}` };
    const aggregatesPath = `/v1/aggregates?level=localAuthority&area=${careHome.localAuthority}&from=${today()}&to=${today()}`;
    await waitForAsync(async () => {
      const page = (await (await fetch(gatewayUrl + aggregatesPath, { headers: asNational })).json()) as { items: Array<{ locationsReporting: number; bedsOccupied: number }> };
      return page.items[0]?.locationsReporting === 1 && page.items[0].bedsOccupied === designExample().beds.occupied;
    }, 'the return to reach the aggregates');
    // And the national export has it as the location's latest return, with its warnings.
    await waitForAsync(async () => {
      const csv = await (await fetch(`${gatewayUrl}/v1/exports/locations.csv`, { headers: asNational })).text();
      const row = (parse(csv, { columns: true }) as Array<Record<string, string>>).find((r) => r.locationId === careHome.locationId);
      return row?.reportDate === today() && row.version === '2' && row.lastUpdated !== '' && row.warnings !== undefined;
    }, 'the return to reach the locations export');

    // Quiet at its default LOG_LEVEL (WARN) while the handlers, the aggregator and the saved-search consumer ran: no INFO lines, no EMF metrics.
    expect(first.output()).not.toMatch(/"level":"INFO"|"_aws":/);

    const second = startStack();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('already running');

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
    await expect(fetch(`${dynamodbEndpoint}/`)).rejects.toThrow(); // DynamoDB Local went with it

    const third = startStack();
    await running(third, 'the restart');
    expect(third.output()).not.toContain('seeding returns');
    // The issuer's keys are kept under the data folder too, so the token from before the restart still works.
    const again = (await (await fetch(`${stackInfo().gatewayUrl}/v1/locations/${careHome.locationId}`, { headers: { authorization } })).json()) as { latestReturn: unknown };
    expect(again.latestReturn).toEqual(stored);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 600_000);
});
