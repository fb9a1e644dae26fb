import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

/**
 * DESIGN §9: logs carry no personal data, and neither do traces or metrics. This runs the reminder job and
 * the admin routes (users, members, contacts, the audit, the unreachable report) on data full of email
 * addresses and people's names, with Powertools as it runs in Lambda, and searches everything they wrote
 * for any of them:
 *
 * - the tracer: enabled as in Lambda (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT and a sampled _X_AMZN_TRACE_ID
 *   make the X-Ray SDK stream every closed subsegment, its metadata and annotations included), to a stand-in
 *   X-Ray daemon on a UDP port of this process (AWS_XRAY_DAEMON_ADDRESS): what X-Ray would be sent;
 * - the logger at DEBUG, and metrics on (their EMF documents), both written to stdout; and anything else
 *   written to stdout, stderr or the console.
 *
 * One reminder goes to an address SES refuses, as SES in its sandbox refuses an unverified one: with an
 * error whose message names the address ("... failed the check in region EU-WEST-2: a@b.example"), which
 * the tracer records on the SES subsegment. The local SES endpoint accepts everything, so a stand-in in
 * front of it (`refusingSes`) answers that one as SES does and passes the rest on.
 *
 * Everything is set before the SDK and Powertools load (their singletons read the environment then): the
 * modules that load them are imported below, after it. This file runs in a process of its own, with its own
 * tables (the reminder job reads every stale location of its tables).
 */
const daemon = createSocket('udp4');
const traced: string[] = [];
daemon.on('message', (message) => traced.push(message.toString('utf8')));
await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', () => resolve()));

const TRACE_ROOT = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
Object.assign(process.env, {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  LAMBDA_TASK_ROOT: fileURLToPath(new URL('../..', import.meta.url)),
  _HANDLER: 'index.handler',
  _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=${randomBytes(8).toString('hex')};Sampled=1`,
  AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  POWERTOOLS_TRACE_ENABLED: 'true',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
  POWERTOOLS_SERVICE_NAME: 'capacity-tracker',
  POWERTOOLS_METRICS_NAMESPACE: 'CapacityTracker',
});

/** Everything written to stdout, stderr and the console while the functions ran. */
const written: string[] = [];
const capture = (chunk: unknown) => {
  written.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
  return true;
};
const originalWrites = { stdout: process.stdout.write, stderr: process.stderr.write };

const { startLocalSystem } = await import('#scripts/local/system');
const { demoLocations } = await import('#scripts/seed/demo-data');
const { demoUsers } = await import('#scripts/seed/demo-users');
const { putLocations } = await import('#shared/repositories/locations');
const { putContacts } = await import('#shared/repositories/reminders');
type LocalSystem = Awaited<ReturnType<typeof startLocalSystem>>;

/** The people in this test: their addresses, and the names they are known by. */
const people = {
  homeManager: 'ffion.pritchard@homes.example',
  deputy: 'dafydd.llewelyn@homes.example',
  directoryInbox: 'gwenllian.morgan@homes.example',
  providerContact: 'gwilym.hopcyn@providers.example',
  commissioner: 'siobhan.okafor@commissioners.example',
  invited: 'mererid.tudur@care.example',
  /** A home's address that SES refuses (not verified): its refusal names it. */
  unverified: 'heledd.rhydderch@homes.example',
};
const NAMES = ['Ffion', 'Pritchard', 'Dafydd', 'Llewelyn', 'Gwenllian', 'Morgan', 'Gwilym', 'Hopcyn', 'Siobhán', 'Siobhan', 'Okafor', 'Mererid', 'Tudur', 'Heledd', 'Rhydderch'];

// Tuesday 24 November 2026, 10:05 in London: inside sending hours.
const T = new Date('2026-11-24T10:05:00Z');
const hoursBefore = (hours: number) => new Date(T.getTime() - hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const PROVIDER = '1-800000100';
const place = { localAuthority: 'E08000004', region: 'E12000002' };
const home = (id: number, hoursStale: number, contactEmail?: string) => ({
  locationId: `1-8000000${String(id).padStart(2, '0')}`,
  providerId: PROVIDER,
  name: `Privacy Home ${id}`,
  type: 'careHome' as const,
  categories: ['residential' as const],
  registeredBeds: 30,
  ...place,
  active: true,
  lastUpdated: hoursBefore(hoursStale),
  ...(contactEmail ? { contactEmail } : {}),
});
const homes = [home(1, 30), home(2, 60, people.directoryInbox), home(3, 70), home(4, 30, people.unverified)];

/** SES v2's refusal of a message to an unverified address, as SES words it (the address in the message). */
const REFUSAL = (address: string) => `Email address is not verified. The following identities failed the check in region EU-WEST-2: ${address}`;

/**
 * An SES endpoint in front of the local one: a SendEmail to `refused` is answered as SES answers it (400,
 * `MessageRejected`, the message naming the address); every other request is passed on unchanged.
 */
async function refusingSes(target: string, refused: string): Promise<{ endpoint: string; refusals: () => number; stop: () => Promise<void> }> {
  let refusals = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const to = (() => {
        try {
          return (JSON.parse(body.toString('utf8')) as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses ?? [];
        } catch {
          return [];
        }
      })();
      if (request.url === '/v2/email/outbound-emails' && to.includes(refused)) {
        refusals += 1;
        response.writeHead(400, {
          'content-type': 'application/json',
          'x-amzn-requestid': randomBytes(16).toString('hex'),
          'x-amzn-errortype': 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/',
        });
        response.end(JSON.stringify({ message: REFUSAL(refused) }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length', 'transfer-encoding', 'expect'].includes(name))) as Record<string, string>;
      fetch(target + request.url, { method: request.method!, headers, ...(body.length > 0 ? { body } : {}) })
        .then(async (answer) => {
          response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          response.writeHead(502);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refusals: () => refusals,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let system: LocalSystem;
let ses: Awaited<ReturnType<typeof refusingSes>>;
let token: string;
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(system.url! + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
};

beforeAll(async () => {
  system = await startLocalSystem({
    dynamodb: { endpoint: process.env.DYNAMODB_ENDPOINT! },
    tablePrefix: `npd${process.pid}${Date.now() % 100_000}`,
    ses: true,
    gateway: { port: 0, users: demoUsers(demoLocations()) },
  });
  // The SES client is made when the reminder job's handler first loads, pointed at SES_ENDPOINT: here.
  ses = await refusingSes(system.ses!.endpoint, people.unverified);
  process.env.SES_ENDPOINT = ses.endpoint;
  token = await system.issuer!.sign({ sub: 'admin', role: 'admin' });
  await putLocations(homes);
  await putContacts([
    { scope: 'area#E12000002', contactId: 'commissioner-nw', kind: 'commissioner', email: people.commissioner, name: 'Siobhán Okafor' },
  ]);
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) vi.spyOn(console, method).mockImplementation(capture);
}, 60_000);

afterAll(async () => {
  process.stdout.write = originalWrites.stdout;
  process.stderr.write = originalWrites.stderr;
  vi.restoreAllMocks();
  await system?.stop();
  await ses?.stop();
  daemon.close();
});

/** Until the stand-in daemon has had nothing new for a moment (the SDK sends as each subsegment closes). */
async function tracesSettled(): Promise<void> {
  let seen = -1;
  while (seen !== traced.length) {
    seen = traced.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('no email address or name of a person in logs, traces or metrics', () => {
  test('the admin routes and the reminder job, on data full of them', async () => {
    // Admin routes: invite (and invite again: the 409 names the address), list, members, contacts, the audit.
    const invited = await api('POST', '/v1/users', { email: people.invited, role: 'provider' });
    expect(invited.status).toBe(201);
    expect((await api('POST', '/v1/users', { email: people.invited, role: 'provider' })).text).toContain(people.invited);
    expect((await api('GET', '/v1/users?role=provider')).text).toContain(people.invited);
    expect((await api('PUT', `/v1/locations/${homes[0]!.locationId}/members/${invited.json.userId}`, { manager: true })).text).toContain(people.invited);
    expect((await api('GET', `/v1/locations/${homes[0]!.locationId}/members`)).text).toContain(people.invited);
    expect((await api('GET', `/v1/users?locationId=${homes[0]!.locationId}`)).text).toContain(people.invited);
    expect((await api('PUT', `/v1/locations/${homes[0]!.locationId}/contact`, { reminderEmails: [people.homeManager, people.deputy], phone: '0161 496 0000' })).status).toBe(200);
    expect((await api('GET', `/v1/locations/${homes[0]!.locationId}/contact`)).text).toContain(people.deputy);
    expect((await api('PUT', `/v1/providers/${PROVIDER}/contact`, { email: people.providerContact })).status).toBe(200);
    expect((await api('GET', `/v1/providers/${PROVIDER}/contact`)).text).toContain(people.providerContact);
    expect((await api('GET', '/v1/audit')).text).toContain(people.providerContact);
    expect((await api('GET', '/v1/reports/unreachable')).status).toBe(200);
    // A refused change that names the user in its answer.
    expect((await api('PATCH', `/v1/users/${invited.json.userId}`, { role: 'commissioner' })).status).toBe(400);

    // The reminder job, as its schedule runs it: every kind of email, to every one of them (home 3 has no
    // address, so its provider is told so), and SES refusing home 4's reminder, naming its address.
    const report = await system.runReminders(T);
    expect(report.sent.map((sent) => sent.kind).sort()).toEqual(['commissionerDigest', 'escalation', 'providerDigest', 'reminder', 'unreachableDigest']);
    const mail = await system.ses!.emails();
    for (const address of [people.homeManager, people.deputy, people.directoryInbox, people.providerContact, people.commissioner]) {
      expect(mail.some((email) => email.to.includes(address)), address).toBe(true);
    }
    expect(ses.refusals()).toBe(1);
    expect(mail.some((email) => email.to.includes(people.unverified))).toBe(false);
    expect(report.failed).toEqual([{ kind: 'reminder', subject: expect.any(String), error: REFUSAL('<address>') }]);
    await tracesSettled();

    // What was captured is what X-Ray, CloudWatch Logs and metrics would get: it is there, and it is real.
    const segments = traced.map((packet) => JSON.parse(packet.slice(packet.indexOf('\n') + 1)) as { name: string; trace_id: string; aws?: Record<string, unknown>; metadata?: unknown; error?: boolean; cause?: { exceptions: Array<{ type: string; message: string }> } });
    expect(segments.every((segment) => segment.trace_id === TRACE_ROOT)).toBe(true);
    expect(segments.filter((segment) => segment.name === '## index.handler').length).toBeGreaterThanOrEqual(14);
    expect(segments.some((segment) => segment.name === 'DynamoDB' && typeof segment.aws?.table_name === 'string')).toBe(true);
    expect(segments.some((segment) => segment.name === 'SESv2' && segment.aws?.operation === 'SendEmail')).toBe(true);
    // The refusal is in the trace, as X-Ray would show it: the SES subsegment's error, its address taken out.
    const refused = segments.filter((segment) => segment.name === 'SESv2' && segment.error === true);
    expect(refused.map((segment) => segment.cause?.exceptions.map((exception) => [exception.type, exception.message]))).toEqual([[['MessageRejected', REFUSAL('<address>')]]]);
    const logs = written.join('');
    expect(logs).toContain('"message":"reminder run"');
    expect(logs).toContain('"RemindersSent"');

    const everything = `${traced.join('\n')}\n${logs}`.toLowerCase();
    const found = [...Object.values(people), ...NAMES].filter((term) => everything.includes(term.toLowerCase()));
    expect(found, 'personal data written to logs, traces or metrics').toEqual([]);
  });
});
