import { describe, expect, test } from 'vitest';
import { nextRun, schedules } from '#shared/model/schedules';
import { advanceCheckpointRequest, getCheckpointRequest } from '#shared/repositories/sync-checkpoints';
import { cqcTimestamp, retryAfterMs } from '#shared/runtime/cqc-api';
import { syncWindows } from '#shared/services/directory/sync';

describe('the CQC API client', () => {
  test('sends instants as the API takes them: UTC, to the second', () => {
    expect(cqcTimestamp(new Date('2026-11-22T04:30:00.999Z'))).toBe('2026-11-22T04:30:00Z');
  });

  test('reads Retry-After as seconds or as an HTTP date, and nothing else', () => {
    const now = Date.parse('2026-11-22T04:30:00Z');
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Sun, 22 Nov 2026 04:30:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 22 Nov 2026 04:29:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});

describe('the sync', () => {
  test('takes a stretch in windows of at most the given hours, the last one short', () => {
    const windows = syncWindows(new Date('2026-01-01T06:00:00Z'), new Date('2026-01-03T12:00:00Z'), 24);
    expect(windows.map(({ start, end }) => [cqcTimestamp(start), cqcTimestamp(end)])).toEqual([
      ['2026-01-01T06:00:00Z', '2026-01-02T06:00:00Z'],
      ['2026-01-02T06:00:00Z', '2026-01-03T06:00:00Z'],
      ['2026-01-03T06:00:00Z', '2026-01-03T12:00:00Z'],
    ]);
    expect(syncWindows(new Date('2026-01-01T06:00:00Z'), new Date('2026-01-01T06:00:00Z'), 24)).toEqual([]);
  });

  test('moves its checkpoint with a conditional put that can only go forward', () => {
    expect(getCheckpointRequest('cqcLocations', 'cp')).toEqual({ TableName: 'cp', Key: { job: 'cqcLocations' }, ConsistentRead: true });
    const request = advanceCheckpointRequest({ job: 'cqcLocations', syncedTo: '2026-01-02T00:00:00Z', updatedAt: '2026-01-02T04:31:00.000Z' }, 'cp');
    expect(request).toMatchObject({
      TableName: 'cp',
      Item: { job: 'cqcLocations', syncedTo: '2026-01-02T00:00:00Z' },
      ConditionExpression: 'attribute_not_exists(#job) OR #syncedTo < :syncedTo',
      ExpressionAttributeValues: { ':syncedTo': '2026-01-02T00:00:00Z' },
    });
  });

  test('runs daily at 04:30 UTC, the reminders hourly at :05 (the local timer follows the definitions)', () => {
    expect(schedules.cqcSync.expression).toBe('cron(30 4 * * ? *)');
    expect(nextRun(schedules.cqcSync, new Date('2026-01-01T03:00:00Z')).toISOString()).toBe('2026-01-01T04:30:00.000Z');
    expect(nextRun(schedules.cqcSync, new Date('2026-01-01T04:30:00Z')).toISOString()).toBe('2026-01-02T04:30:00.000Z');
    expect(nextRun(schedules.cqcSync, new Date('2026-12-31T23:59:00Z')).toISOString()).toBe('2027-01-01T04:30:00.000Z');
    expect(nextRun(schedules.reminders, new Date('2026-01-01T03:04:59Z')).toISOString()).toBe('2026-01-01T03:05:00.000Z');
    expect(nextRun(schedules.reminders, new Date('2026-01-01T03:05:00Z')).toISOString()).toBe('2026-01-01T04:05:00.000Z');
  });
});
