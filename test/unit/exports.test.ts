import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { contributionOf, reportedOnTime, reportingDeadline } from '#shared/model/aggregates/metrics';
import { ExportRequest } from '#shared/model/schemas/exports';
import { dayReturnsRequest } from '#shared/repositories/returns-by-day';
import { completenessDay } from '#shared/services/aggregates/completeness-days';
import { chunksOf, exportFileOf } from '#shared/services/exports/file';
import { returnPrefixes } from '#shared/services/exports/kinds';
import { exportView } from '#shared/services/exports/jobs';
import { designExample } from './fixtures';

const everyone = { areas: undefined, visible: () => true };

describe('on-time reporting', () => {
  test('a day counts as reported on time when first stored within 24 hours of its end, London time', () => {
    // Winter: London is UTC, the day ends at midnight UTC.
    expect(reportingDeadline('2026-12-01')).toBe('2026-12-03T00:00:00Z');
    // Summer: London is UTC+1, the day ends at 23:00 UTC.
    expect(reportingDeadline('2026-07-01')).toBe('2026-07-02T23:00:00Z');
    // 24 October ends at midnight BST (23:00 UTC); the next day is 25 hours long (the clocks go back), and the
    // deadline is 24 hours after the end, not the next midnight: 23:00 GMT on the 25th.
    expect(reportingDeadline('2026-10-24')).toBe('2026-10-25T23:00:00Z');
    expect(reportedOnTime({ reportDate: '2026-12-01', submittedAt: '2026-12-03T00:00:00Z' })).toBe(true);
    expect(reportedOnTime({ reportDate: '2026-12-01', submittedAt: '2026-12-03T00:00:01Z' })).toBe(false);
  });

  test('a late correction of a day first reported on time keeps it on time', () => {
    const day = { ...designExample(), reportDate: '2026-12-01', warnings: [] };
    expect(contributionOf({ ...day, submittedAt: '2026-12-05T09:00:00Z', firstSubmittedAt: '2026-12-01T09:00:00Z' }).locationsReportingOnTime).toBe(1);
    expect(contributionOf({ ...day, submittedAt: '2026-12-05T09:00:00Z' }).locationsReportingOnTime).toBe(0);
  });
});

describe('completeness per area and day', () => {
  test('shares of the expected locations, and null when none were expected', () => {
    const day = { level: 'localAuthority' as const, area: 'E06000001', areaName: 'Hartlepool', date: '2026-12-01', locationsExpected: 3, metrics: { locationsReporting: 2, locationsReportingOnTime: 1 } };
    expect(completenessDay(day)).toEqual({ ...day, metrics: undefined, locationsReporting: 2, locationsReportingOnTime: 1, reportingShare: 0.6667, onTimeShare: 0.3333 } as never);
    expect(completenessDay({ ...day, locationsExpected: 0, metrics: {} })).toMatchObject({ locationsReporting: 0, reportingShare: null, onTimeShare: null });
  });
});

describe('returns export', () => {
  const authorities = [
    { code: 'E06000001', region: 'E12000001' },
    { code: 'E08000004', region: 'E12000002' },
  ];

  test('reads England as the whole day, a region or an authority by a prefix of the place key', () => {
    expect(returnPrefixes(everyone, { level: 'england', from: '2026-12-01', to: '2026-12-01' }, authorities)).toEqual(['']);
    expect(returnPrefixes(everyone, { level: 'region', area: 'E12000002', from: '2026-12-01', to: '2026-12-01' }, authorities)).toEqual(['E12000002#']);
    expect(returnPrefixes(everyone, { level: 'localAuthority', area: 'E08000004', from: '2026-12-01', to: '2026-12-01' }, authorities)).toEqual(['E12000002#E08000004#']);
  });

  test("a commissioner's own areas, an authority inside their region read once", () => {
    const scope = { areas: ['E12000002', 'E08000004', 'E06000001'], visible: () => true };
    expect(returnPrefixes(scope, { level: 'localAuthority', from: '2026-12-01', to: '2026-12-01' }, authorities)).toEqual(['E12000001#E06000001#', 'E12000002#']);
  });

  test('the byDay Query', () => {
    expect(dayReturnsRequest('2026-12-01', 'E12000002#', undefined, 'returns')).toEqual({
      TableName: 'returns',
      IndexName: 'byDay',
      KeyConditionExpression: 'reportDate = :day AND begins_with(placeKey, :prefix)',
      ExpressionAttributeValues: { ':day': '2026-12-01', ':prefix': 'E12000002#' },
      Limit: 1000,
    });
    expect(dayReturnsRequest('2026-12-01', '', { reportDate: '2026-12-01', placeKey: 'x', locationId: 'y' }, 'returns')).toMatchObject({
      KeyConditionExpression: 'reportDate = :day',
      ExclusiveStartKey: { reportDate: '2026-12-01', placeKey: 'x', locationId: 'y' },
    });
  });
});

describe('export requests and files', () => {
  const request = { kind: 'returns', level: 'region', area: 'E12000002', from: '2026-01-01', to: '2026-01-31', format: 'csv' };

  test('ranges: from after to, and more than three years, are refused at body.from', () => {
    expect(ExportRequest.safeParse(request).success).toBe(true);
    const backwards = ExportRequest.safeParse({ ...request, from: '2026-02-01' });
    expect(backwards.error?.issues[0]).toMatchObject({ path: ['from'] });
    expect(ExportRequest.safeParse({ ...request, from: '2023-01-01', to: '2025-12-31' }).success).toBe(true);
    expect(ExportRequest.safeParse({ ...request, from: '2022-01-01', to: '2025-12-31' }).error?.issues[0]).toMatchObject({ path: ['from'] });
    expect(ExportRequest.safeParse({ ...request, kind: 'everything' }).success).toBe(false);
  });

  test('named for what they hold, under the exports prefix; gzip says so', () => {
    const parsed = ExportRequest.parse(request);
    expect(exportFileOf('id-1', parsed)).toEqual({ key: 'exports/id-1/returns-E12000002-2026-01-01-to-2026-01-31.csv', filename: 'returns-E12000002-2026-01-01-to-2026-01-31.csv', contentType: 'text/csv; charset=utf-8' });
    expect(exportFileOf('id-2', ExportRequest.parse({ ...request, area: undefined, level: 'england', format: 'jsonl', compression: 'gzip' }))).toMatchObject({
      filename: 'returns-england-2026-01-01-to-2026-01-31.jsonl.gz',
      contentType: 'application/gzip',
    });
  });
});

describe('what gzip and the upload are given', () => {
  test('rows written one at a time reach them joined into chunks of at least the size, every byte in order', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `row ${i},${'x'.repeat(i % 40)}\r\n`);
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.from(rows).pipe(chunksOf(16 * 1024))) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(rows.join(''));
    expect(chunks.length).toBeGreaterThan(2);
    // Only the last one may be short.
    expect(chunks.slice(0, -1).every((chunk) => chunk.length >= 16 * 1024)).toBe(true);
  });
});

describe('what a job shows its owner', () => {
  const job = {
    exportId: 'e1',
    kind: 'returns' as const,
    level: 'england' as const,
    from: '2026-11-01',
    to: '2026-11-30',
    format: 'csv' as const,
    compression: 'none' as const,
    ownerId: 'u1',
    ownerRole: 'national' as const,
    ownerAreas: [],
    createdAt: '2026-12-01T09:00:00Z',
    expiresAtEpoch: 0,
  };
  const now = new Date('2026-12-01T09:30:00Z');
  const presign = async (key: string, filename: string, seconds: number) => `https://files.example/${key}?name=${filename}&for=${seconds}`;

  test('a ready job gets a fresh short-lived link; a running one its progress and no link', async () => {
    const ready = await exportView({ ...job, status: 'ready', rows: 930_000, bytes: 123, objectKey: 'exports/e1/f.csv', filename: 'f.csv' }, now, presign);
    expect(ready).toMatchObject({ status: 'ready', rows: 930_000, bytes: 123, filename: 'f.csv', url: 'https://files.example/exports/e1/f.csv?name=f.csv&for=900', expiresAt: '2026-12-01T09:45:00Z' });
    const running = await exportView({ ...job, status: 'running', startedAt: '2026-12-01T09:29:00Z', rows: 40_000 }, now, presign);
    expect(running).toMatchObject({ status: 'running', rows: 40_000 });
    expect(running.url).toBeUndefined();
  });

  test('a run that outlived the worker with no retry since, or an event never run, shows as failed', async () => {
    const died = await exportView({ ...job, status: 'running', startedAt: '2026-12-01T09:00:00Z', attempts: 1 }, new Date('2026-12-01T09:21:00Z'), presign);
    expect(died).toMatchObject({ status: 'failed', error: expect.stringMatching(/ask for it again/) });
    const queued = await exportView({ ...job, status: 'pending' }, new Date('2026-12-01T15:00:00Z'), presign);
    expect(queued.status).toBe('pending');
    expect((await exportView({ ...job, status: 'pending' }, new Date('2026-12-01T15:10:00Z'), presign)).status).toBe('failed');
  });
});
