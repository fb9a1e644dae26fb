import { randomInt } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { call, createLocation, useGateway } from '../helpers/api';
import { importContacts } from '#shared/services/people/import-contacts';

/** `npm run import:contacts`: onboarding an area's reminder addresses from a file, idempotent, with a summary. */
const gateway = useGateway();

describe('importing contacts', () => {
  test('sets each location’s addresses and its provider’s contact, reports the rows it cannot use, and a second run changes nothing', async () => {
    // A provider of its own: other files set the default test provider's contact.
    const providerId = `1-8${String(randomInt(0, 99_999_999)).padStart(8, '0')}`;
    const [first, second] = await Promise.all([createLocation({ name: 'First Contact', providerId }), createLocation({ name: 'Second Contact', providerId })]);
    const csv = [
      '\uFEFFlocationId,name,reminderEmails,phone,providerContact',
      `${first.locationId},First Contact,Manager@first.example; deputy@first.example,01392 491261,group@providers.example`,
      `${second.locationId},Second Contact,second@home.example,,`,
      `1-000000002,Nowhere,x@home.example,,`,
      `${second.locationId},Twice,again@home.example,,`,
      `RXH01,Bad id,x@home.example,,`,
      `${first.locationId.replace(/\d$/, (d) => String((Number(d) + 1) % 10))},No addresses,,,`,
      `1-000000003,Bad address,not-an-address,,`,
      '',
    ].join('\r\n');
    const summary = await importContacts(csv, 'import:contacts:test', new Date());
    expect(summary).toMatchObject({ read: 7, set: 2, unchanged: 0, providersSet: 1 });
    expect(summary.problems.map(({ line }) => line)).toEqual([4, 5, 6, 7, 8]);
    expect(summary.problems[1]!.problem).toMatch(/also on row 3/);
    expect(summary.problems[2]!.problem).toMatch(/not a CQC location ID/);
    expect(summary.problems[3]!.problem).toMatch(/reminderEmails/);
    expect(summary.problems[4]!.problem).toMatch(/reminderEmails\.0/);

    const contact = await call(gateway.url(), 'GET', `/v1/locations/${first.locationId}/contact`);
    expect(contact.json).toEqual({ reminderEmails: ['manager@first.example', 'deputy@first.example'], phone: '01392 491261' });
    const audit = await call(gateway.url(), 'GET', `/v1/audit?locationId=${first.locationId}`);
    expect(audit.json.items[0]).toMatchObject({ actor: 'import:contacts:test', action: 'location.contact' });

    expect(await importContacts(csv, 'import:contacts:test', new Date())).toMatchObject({ set: 0, unchanged: 2, providersSet: 0 });
  });
});
