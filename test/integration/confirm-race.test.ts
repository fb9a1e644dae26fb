import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { dynamo } from '#shared/runtime/dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { getLocationForWrite } from '#shared/repositories/locations';
import { writeReturn, WRITE_PART } from '#shared/repositories/return-writes';
import { RETURN_SCHEMA_VERSION } from '#shared/model/schemas/return';
import { call, createLocation, daysAgo, designExample, returnPath, today, useGateway } from '../helpers/api';

const gateway = useGateway();

async function storedVersions(locationId: string): Promise<Record<string, any>[]> {
  const { Items } = await dynamo.send(
    new QueryCommand({ TableName: process.env.RETURN_VERSIONS_TABLE, KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId }, ConsistentRead: true }),
  );
  return Items ?? [];
}

/** A body whose occupied beds mark which PUT it came from. */
const marked = (occupied: number) => ({ ...designExample(), beds: { ...designExample().beds, occupied } });

describe('"nothing has changed" racing a save', () => {
  // Many rounds of a PUT and a confirm (and a second confirm) sent at the same moment. Whatever order they
  // land in, no acknowledged PUT may be silently undone: every confirm version repeats the figures of the
  // version just before it, and the day ends on the last acknowledged write.
  test('never stores figures older than an acknowledged write: the loser of a race is a 409', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    expect((await call(gateway.url(), 'PUT', path, { body: marked(1) })).status).toBe(201);

    const acknowledged: { kind: 'put' | 'confirm'; version: number; occupied: number }[] = [];
    let conflicts = 0;
    for (let round = 0; round < 30; round += 1) {
      const occupied = 100 + round;
      const answers = await Promise.all([
        call(gateway.url(), 'POST', `${path}/confirm`),
        call(gateway.url(), 'PUT', path, { body: marked(occupied) }),
        call(gateway.url(), 'POST', `${path}/confirm`),
      ]);
      const [, putAnswer] = answers;
      expect(putAnswer.status, JSON.stringify(putAnswer.json)).toBe(200);
      for (const [index, answer] of answers.entries()) {
        if (answer.status === 409) {
          // A lost confirm says so, in problem+json, and may be sent again.
          expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
          expect(answer.headers.get('retry-after')).toBeTruthy();
          conflicts += 1;
          continue;
        }
        expect(answer.status, JSON.stringify(answer.json)).toBe(200);
        acknowledged.push({ kind: index === 1 ? 'put' : 'confirm', version: answer.json.version, occupied: answer.json.beds.occupied });
      }
    }

    const versions = new Map((await storedVersions(location.locationId)).map((item) => [Number(item.version), item]));
    for (const write of acknowledged) {
      const stored = versions.get(write.version);
      expect(stored?.beds.occupied, `version ${write.version}`).toBe(write.occupied);
      if (write.kind === 'confirm') {
        // A confirm repeats exactly the version it replaced: nothing acknowledged before it is lost.
        expect(write.occupied, `confirm version ${write.version} repeats version ${write.version - 1}`).toBe(versions.get(write.version - 1)?.beds.occupied);
      }
    }
    const last = acknowledged.reduce((newest, write) => (write.version > newest.version ? write : newest));
    const current = await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`);
    expect(current.json.latestReturn).toMatchObject({ version: last.version, beds: { occupied: last.occupied } });
    // Every PUT was acknowledged, so each is either the current figures or was followed by a later write.
    const puts = acknowledged.filter((write) => write.kind === 'put');
    expect(puts).toHaveLength(30);
    for (const write of puts) expect(write.version <= last.version && (write.version === last.version ? write.occupied === last.occupied : true)).toBe(true);
    // Every confirm either landed or was told it lost.
    expect(conflicts + acknowledged.filter((write) => write.kind === 'confirm').length).toBe(60);
  });
});

describe('a confirm repeating an earlier day', () => {
  // The day-version condition cannot see a correction of the day a confirm repeats (or a late return for
  // a day in between): the location's write count does. Here the other write lands, deterministically,
  // between the confirm's read and its write.
  test("is refused if any return of the location was written after it read the figures", async () => {
    const location = await createLocation();
    expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(1)), { body: marked(1) })).status).toBe(201);
    const seen = await getLocationForWrite(location.locationId);
    expect(seen).toMatchObject({ newestReportDate: daysAgo(1), returnWrites: 1 });

    expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(1)), { body: marked(2) })).status).toBe(200);

    const repeatingStaleFigures = {
      ...marked(1),
      locationId: location.locationId,
      reportDate: today(),
      version: 1,
      submittedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      submittedBy: 'admin',
      warnings: [],
      schemaVersion: RETURN_SCHEMA_VERSION,
      confirmedFrom: { reportDate: daysAgo(1), version: 1 },
    };
    const attempt = writeReturn(repeatingStaleFigures, location, undefined, { newestReportDate: seen!.newestReportDate, recorded: true, returnWrites: seen!.returnWrites });
    const error = await attempt.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.[WRITE_PART.location]?.Code).toBe('ConditionalCheckFailed');
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.latestReturn).toMatchObject({ reportDate: daysAgo(1), beds: { occupied: 2 } });

    // Through the API, a confirm now repeats the correction.
    const confirmed = await call(gateway.url(), 'POST', `${returnPath(location.locationId, today())}/confirm`);
    expect(confirmed.status).toBe(201);
    expect(confirmed.json).toMatchObject({ beds: { occupied: 2 }, confirmedFrom: { reportDate: daysAgo(1), version: 2 } });
  });
});

describe('freshness', () => {
  test('moves only for the newest report date: correcting an older day is not an update', async () => {
    const location = await createLocation();
    const first = await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: marked(1) });
    const lastUpdated = (await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.lastUpdated;
    expect(lastUpdated).toBe(first.json.submittedAt);

    await new Promise((resolve) => setTimeout(resolve, 1_100)); // submittedAt has whole seconds
    expect((await call(gateway.url(), 'PUT', returnPath(location.locationId, daysAgo(3)), { body: marked(2) })).status).toBe(201);
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.lastUpdated).toBe(lastUpdated);

    const correction = await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: marked(3) });
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.lastUpdated).toBe(correction.json.submittedAt);
  });
});
