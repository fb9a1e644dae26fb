import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { toReturnItem } from '#shared/model/returns/return-item';
import { dayReturnsRequest } from '#shared/repositories/returns-by-day';
import { dynamo } from '#shared/runtime/dynamodb';
import { migrateReturnPlaces } from '#shared/services/returns/migrate-places';
import { designExample, newLocation, today } from '../helpers/api';

describe('npm run migrate:returns', () => {
  test('a return stored before exports gains its place, and the byDay index then finds it; a second run finds nothing', async () => {
    const location = newLocation({ localAuthority: 'E06000983', region: 'E12000009' });
    const stored = { ...designExample(), locationId: location.locationId, reportDate: today(), version: 1, submittedAt: '2026-01-01T09:00:00Z', submittedBy: 'old', warnings: [], schemaVersion: 1 };
    // As an earlier version wrote it: where the location is, but no placeKey.
    const { placeKey: _placeKey, ...old } = toReturnItem(stored, location);
    await dynamo.send(new PutCommand({ TableName: process.env.RETURNS_TABLE!, Item: old }));
    const inIndex = async () => (await dynamo.send(new QueryCommand(dayReturnsRequest(today(), 'E12000009#E06000983#')))).Items ?? [];
    expect(await inIndex()).toEqual([]);

    const first = await migrateReturnPlaces();
    expect(first.placed).toBeGreaterThanOrEqual(1);
    expect((await inIndex()).map((item) => item.locationId)).toEqual([location.locationId]);
    expect((await migrateReturnPlaces()).placed).toBe(0);
  });
});
