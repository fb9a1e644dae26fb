import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureTables, exportTableNames, localTableNames } from '#scripts/local/local-tables';
import { startLocalSes, type LocalEmail, type LocalSes } from '#scripts/local/ses-local';
import type { DirectoryEntry } from '#shared/model/schemas/location';
import type { Contact } from '#shared/repositories/reminders';
import type { ReminderRunReport } from '#shared/services/reminders/run';
import type { OutgoingEmail } from '#shared/runtime/ses';

/**
 * The reminder job against DynamoDB Local and the local SES endpoint, with the clock under the test's
 * control. Emails are counted where they arrived, in the SES endpoint's store. Its own tables, so no
 * other test's locations are stale here.
 */
const tables = localTableNames(`rem${process.pid}${Date.now() % 100000}`);
const savedEnv = { ...process.env };
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
let ses: LocalSes;
let run: (at: Date, send?: (email: OutgoingEmail) => Promise<string>) => Promise<ReminderRunReport>;
let putLocations: (locations: DirectoryEntry[]) => Promise<void>;
let markReported: (locationId: string, at: Date) => Promise<void>;

// Tuesday 24 November 2026, 10:05 in London (GMT): inside sending hours.
const T = new Date('2026-11-24T10:05:00Z');
const at = (hours: number) => new Date(T.getTime() + hours * 3_600_000);
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const place = { localAuthority: 'E08000004', region: 'E12000002' };
const location = (id: number, lastUpdated: Date | null, extra: Partial<DirectoryEntry> = {}): DirectoryEntry => ({
  locationId: `1-7000000${String(id).padStart(2, '0')}`,
  providerId: '1-700000100',
  name: `Reminder Home ${id}`,
  type: 'careHome',
  categories: ['residential'],
  registeredBeds: 30,
  ...place,
  active: true,
  lastUpdated: lastUpdated ? iso(lastUpdated) : null,
  contactEmail: `home${id}@homes.example`,
  ...extra,
});

const homes = {
  fresh: location(1, at(-2)),
  day: location(2, at(-30)),
  twoDays: location(3, at(-60)),
  threeDays: location(4, at(-70)),
  never: location(5, null, { providerId: '1-700000200' }),
  closed: location(6, at(-100), { active: false }),
  noInbox: location(7, at(-80), { contactEmail: undefined }),
  elsewhere: location(8, at(-90), { localAuthority: 'E06000027', region: 'E12000009', providerId: '1-700000300' }),
};

const contacts: Contact[] = [
  { scope: 'provider#1-700000100', contactId: 'nominated-100', kind: 'provider', email: 'group@providers.example' },
  { scope: 'area#E12000002', contactId: 'commissioner-nw', kind: 'commissioner', email: 'nw@commissioners.example' },
];

const mail = async () => ses.emails();
const to = (emails: LocalEmail[], address: string) => emails.filter((email) => email.to.includes(address));

beforeAll(async () => {
  exportTableNames(tables);
  await ensureTables(client, tables);
  ses = await startLocalSes();
  process.env.SES_ENDPOINT = ses.endpoint;
  process.env.REMINDER_FROM_ADDRESS = 'capacity-tracker@reminders.example';
  process.env.UPDATE_LINK_SECRET = randomBytes(48).toString('base64url');
  const reminders = await import('#shared/services/reminders/run');
  const sesRuntime = await import('#shared/runtime/ses');
  const locations = await import('#shared/repositories/locations');
  const contactRepository = await import('#shared/repositories/reminders');
  const dynamo = (await import('#shared/runtime/dynamodb')).dynamo;
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  run = (when, send = sesRuntime.sendEmail) => reminders.runReminders(when, { sendEmail: send, webBaseUrl: 'http://localhost:3000' });
  putLocations = (entries) => locations.putLocations(entries);
  markReported = async (locationId, when) => {
    await dynamo.send(new UpdateCommand({ TableName: tables.locations, Key: { locationId }, UpdateExpression: 'SET lastUpdated = :at, freshness = :at', ExpressionAttributeValues: { ':at': iso(when) } }));
  };
  await putLocations(Object.values(homes));
  await contactRepository.putContacts(contacts);
}, 60_000);

afterAll(async () => {
  await ses?.stop();
  process.env = savedEnv;
  client.destroy();
});

describe('the hourly reminder job', () => {
  test('sends each stale spell its reminder or escalation once, one provider digest, one commissioner digest', async () => {
    const report = await run(T);
    const emails = await mail();
    expect(report.quietHours).toBe(false);
    // Everything active that last reported over 24 h ago (including the one with no inbox to write to),
    // and nothing else was read to find them.
    expect(report.staleLocations).toBe(6);
    expect(report.itemsRead).toBe(6);
    expect(to(emails, 'home7@homes.example')).toHaveLength(0);

    expect(to(emails, homes.fresh.contactEmail!)).toHaveLength(0);
    expect(to(emails, homes.closed.contactEmail!)).toHaveLength(0);
    const reminder = to(emails, homes.day.contactEmail!);
    expect(reminder.map((email) => email.subject)).toEqual(['Please update Capacity Tracker for Reminder Home 2']);
    expect(reminder[0]!.text).toContain('was last updated 1 day 6 hours ago');
    expect(reminder[0]!.text).toMatch(/\/\?location=1-700000002#token=[\w-]+\.[\w-]+\.[\w-]+/);
    expect(reminder[0]!.html).toContain('Nothing has changed');
    for (const home of [homes.twoDays, homes.threeDays, homes.never, homes.elsewhere]) {
      expect(to(emails, home.contactEmail!).map((email) => email.subject), home.name).toEqual([expect.stringMatching(/^Urgent: /)]);
    }
    // The group's nominated contact: one email for both its homes past 48 h, not one per home.
    const group = to(emails, 'group@providers.example');
    const escalated = group.filter((email) => /not updated/.test(email.subject));
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.text).toContain('Reminder Home 3');
    expect(escalated[0]!.text).toContain('Reminder Home 4');
    // The home with no inbox is not skipped in silence: its provider is told no reminder can reach it.
    const unreachable = group.filter((email) => /no address/.test(email.subject));
    expect(unreachable.map((email) => email.subject)).toEqual(['1 of your locations has no address for Capacity Tracker reminders']);
    expect(unreachable[0]!.text).toContain('Reminder Home 7');
    expect(report.unreachable).toEqual(['1-700000007']);
    // The North West commissioner: its region's locations past 48 h, once, and not the one elsewhere.
    const digest = to(emails, 'nw@commissioners.example');
    expect(digest).toHaveLength(1);
    expect(digest[0]!.text).toContain('Reminder Home 5');
    expect(digest[0]!.text).not.toContain('Reminder Home 8');
    expect(emails).toHaveLength(1 + 4 + 2 + 1);
    // What the job says it sent is what SES received, message id for message id.
    expect(report.sent.map((sent) => sent.messageId).sort()).toEqual(emails.map((email) => email.messageId).sort());
    // ...saying how many addresses each went to, never which: the report is the function's result, which a
    // log or a trace could keep. Who was sent what is in the reminderSends table.
    const byMessage = new Map(emails.map((email) => [email.messageId, email]));
    for (const sent of report.sent) {
      expect(Object.keys(sent).sort()).toEqual(['kind', 'locationIds', 'messageId', 'recipients', 'subject']);
      expect(sent.recipients).toBe(byMessage.get(sent.messageId)!.to.length);
    }
    expect(JSON.stringify(report)).not.toMatch(/@/);
  });

  test('running again, or twice at once, sends nothing new', async () => {
    const before = (await mail()).length;
    const rerun = await run(at(1));
    expect(rerun.sent).toHaveLength(0);
    const [a, b] = await Promise.all([run(at(2)), run(at(2))]);
    expect(a.sent.length + b.sent.length).toBe(0);
    expect((await mail()).length).toBe(before);
  });

  test('a home that passes 48 h later gets its escalation, and overlapping runs send it once', async () => {
    const before = (await mail()).length;
    // Home 2 was 30 h stale at T; at T+22 h (08:05 the next morning) it is 52 h stale.
    const [a, b] = await Promise.all([run(at(22)), run(at(22))]);
    const sent = [...a.sent, ...b.sent];
    expect(sent.filter((email) => email.kind === 'escalation').map((email) => email.locationIds)).toEqual([[homes.day.locationId]]);
    const emails = await mail();
    expect(to(emails.slice(before), homes.day.contactEmail!).map((email) => email.subject)).toEqual([expect.stringMatching(/^Urgent: /)]);
    // A new day: the commissioner gets today's digest, once.
    expect(to(emails.slice(before), 'nw@commissioners.example')).toHaveLength(1);
  });

  test('quiet hours hold what falls due until the morning run', async () => {
    const quiet = location(9, new Date('2026-11-24T19:00:00Z'));
    await putLocations([quiet]);
    const evening = await run(new Date('2026-11-25T21:05:00Z')); // 26 h later, 21:05 in London
    expect(evening.quietHours).toBe(true);
    expect(to(await mail(), quiet.contactEmail!)).toHaveLength(0);
    await run(new Date('2026-11-26T07:05:00Z'));
    expect(to(await mail(), quiet.contactEmail!)).toHaveLength(1);
  });

  test('a new return ends the spell: the next time it goes stale, it is reminded again', async () => {
    const home = location(10, at(-25));
    await putLocations([home]);
    await run(T);
    expect(to(await mail(), home.contactEmail!)).toHaveLength(1);
    await markReported(home.locationId, at(5));
    await run(at(10)); // fresh again: nothing
    expect(to(await mail(), home.contactEmail!)).toHaveLength(1);
    await run(at(30)); // 25 h after the new return: a new spell, a new reminder
    expect(to(await mail(), home.contactEmail!)).toHaveLength(2);
  });

  test('a run that crashes after sending does not send again; an email SES refused is tried next run', async () => {
    const crashing = location(11, at(-26), { providerId: '1-700000400' });
    await putLocations([crashing]);
    const { sendEmail } = await import('#shared/runtime/ses');
    const sendThenCrash = async (email: OutgoingEmail) => {
      await sendEmail(email);
      throw new Error('the process died here');
    };
    await expect(run(at(1), sendThenCrash)).rejects.toThrow('the process died here');
    expect(to(await mail(), crashing.contactEmail!)).toHaveLength(1);
    await run(at(2));
    await run(at(3));
    expect(to(await mail(), crashing.contactEmail!)).toHaveLength(1);
    // The audit shows the send was claimed but never confirmed.
    const audit = (await client.send(new ScanCommand({ TableName: tables.reminderSends }))).Items!.map((item) => unmarshall(item));
    expect(audit.find((entry) => entry.subject === `location#${crashing.locationId}`)).toMatchObject({ status: 'claimed', kind: 'reminder' });

    const refused = location(12, at(-26), { providerId: '1-700000500' });
    await putLocations([refused]);
    // As SES words it in the sandbox: the refusal names the addresses, which the report leaves out.
    const sesRefuses = async () => {
      throw Object.assign(new Error(`Email address is not verified. The following identities failed the check in region EU-WEST-2: ${refused.contactEmail}`), {
        name: 'MessageRejected',
        $metadata: { httpStatusCode: 400 },
      });
    };
    const failedRun = await run(at(4), sesRefuses);
    expect(failedRun.failed.map((failure) => failure.kind)).toEqual(['reminder']);
    expect(failedRun.failed[0]!.error).toBe('Email address is not verified. The following identities failed the check in region EU-WEST-2: <address>');
    expect(to(await mail(), refused.contactEmail!)).toHaveLength(0);
    await run(at(5));
    expect(to(await mail(), refused.contactEmail!)).toHaveLength(1);
  });

  test('every send is recorded for audit: who, which spell, when, and the SES message id', async () => {
    const audit = (await client.send(new ScanCommand({ TableName: tables.reminderSends }))).Items!.map((item) => unmarshall(item));
    const sent = audit.filter((entry) => entry.status === 'sent');
    const messageIds = new Set((await mail()).map((email) => email.messageId));
    expect(sent.length).toBeGreaterThan(5);
    for (const entry of sent) {
      expect(messageIds.has(entry.messageId)).toBe(true);
      expect(entry).toMatchObject({ to: expect.any(Array), sentAt: expect.any(String), claimedAt: expect.any(String), expiresAt: expect.any(Number) });
    }
    expect(sent.find((entry) => entry.subject === `location#${homes.twoDays.locationId}`)).toMatchObject({ spell: homes.twoDays.lastUpdated, kind: 'escalation' });
  });

  test('reminders go to the addresses set for the home; a paused home gets none, and resumes by itself on its end date', async () => {
    const { pause } = await import('#shared/services/people/locations');
    const { setLocationContact } = await import('#shared/services/people/locations');
    const { londonDay, addDays } = await import('#shared/model/returns/report-date');
    const addressed = location(20, at(-30), { providerId: '1-700000600', contactEmail: 'old@homes.example' });
    const paused = location(21, at(-30), { providerId: '1-700000600' });
    await putLocations([addressed, paused]);
    await setLocationContact(addressed.locationId, { reminderEmails: ['a@homes.example', 'b@homes.example'] }, 'test', at(0));
    // Paused until two days on: closed for refurbishment.
    await pause(paused.locationId, { reason: 'refurbishment', until: addDays(londonDay(at(0)), 2) }, 'test', at(0), londonDay(at(0)));

    await run(at(0));
    const sent = await mail();
    expect(to(sent, 'a@homes.example').map((email) => email.subject)).toEqual(['Please update Capacity Tracker for Reminder Home 20']);
    expect(to(sent, 'b@homes.example').map((email) => email.subject)).toEqual(['Please update Capacity Tracker for Reminder Home 20']);
    expect(to(sent, 'old@homes.example')).toHaveLength(0);
    expect(to(sent, paused.contactEmail!)).toHaveLength(0);

    // Two days on, the first run resumes it (quiet hours or not) and, stale as it is, reminds it.
    const later = new Date(`${addDays(londonDay(at(0)), 2)}T10:05:00Z`);
    const report = await run(later);
    expect(report.resumed).toEqual([paused.locationId]);
    expect(to(await mail(), paused.contactEmail!).map((email) => email.subject)).toEqual([expect.stringMatching(/^Urgent: /)]);
  });
});
