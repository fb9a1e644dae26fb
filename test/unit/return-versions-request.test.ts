import { describe, expect, test } from 'vitest';
import { keys } from '#shared/model/keys';
import { dayVersionPrefix, dayVersionsRequest, EARLIER_VERSION_PAGE, earlierVersionRequest } from '#shared/repositories/return-versions';

describe('dayVersionsRequest', () => {
  test('every version of the day: begins_with on the day’s prefix, newest first, strongly consistent, no page limit', () => {
    expect(dayVersionsRequest('1-109000000', '2026-11-30', 'versions-table')).toEqual({
      TableName: 'versions-table',
      KeyConditionExpression: 'locationId = :id AND begins_with(versionKey, :day)',
      ExpressionAttributeValues: { ':id': '1-109000000', ':day': '2026-11-30#' },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
  });

  test('the prefix is the one every version key of that day starts with, and no other day’s', () => {
    const prefix = dayVersionPrefix('2026-11-30');
    expect(keys.versionKey('2026-11-30', 1).startsWith(prefix)).toBe(true);
    expect(keys.versionKey('2026-11-30', 999_999).startsWith(prefix)).toBe(true);
    expect(keys.versionKey('2026-11-29', 1).startsWith(prefix)).toBe(false);
    expect(keys.versionKey('2026-11-3', 1).startsWith(prefix)).toBe(false);
  });
});

describe('earlierVersionRequest', () => {
  const request = earlierVersionRequest('1-109000000', '2026-11-30', '2026-11-30T09:00:00Z', 'versions-table');

  test('the versions of earlier days, newest first, saved by the instant, strongly consistent', () => {
    expect(request).toEqual({
      TableName: 'versions-table',
      KeyConditionExpression: 'locationId = :id AND versionKey < :day',
      FilterExpression: 'submittedAt <= :at',
      ExpressionAttributeValues: { ':id': '1-109000000', ':day': '2026-11-30#', ':at': '2026-11-30T09:00:00Z' },
      ScanIndexForward: false,
      Limit: EARLIER_VERSION_PAGE,
      ConsistentRead: true,
    });
  });

  test('its key range holds every earlier day’s version and none of the day’s own or later', () => {
    const bound = request.ExpressionAttributeValues![':day'] as string;
    expect(keys.versionKey('2026-11-29', 999_999) < bound).toBe(true);
    expect(keys.versionKey('2025-12-31', 1) < bound).toBe(true);
    expect(keys.versionKey('2026-11-30', 1) < bound).toBe(false);
    expect(keys.versionKey('2026-12-01', 1) < bound).toBe(false);
  });
});
