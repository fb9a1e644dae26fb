import { describe, expect, test } from 'vitest';
import { METRICS, zeroContribution, type Contribution } from '#shared/model/aggregates/metrics';
import { addDays, londonDay } from '#shared/model/returns/report-date';
import type { ReturnItem } from '#shared/model/returns/return-item';
import type { LedgerEntry } from '#shared/repositories/aggregates';
import { dayAggregateAreasRequest, repairAggregateRequest } from '#shared/repositories/aggregates-check';
import {
  addLedgerEntry,
  deadLetterWindow,
  judgeAreaDay,
  newerReturn,
  rebuildScope,
  sameDifference,
  type AreaDaySum,
  type Mismatch,
} from '#shared/services/aggregates/rebuild';

const AUTHORITIES = [
  { code: 'E06000971', parent: 'E12000009' },
  { code: 'E06000972', parent: 'E12000009' },
  { code: 'E06000973', parent: 'E12000008' },
];

const figures = (values: Partial<Contribution>): Contribution => ({ ...zeroContribution(), ...values });

const ledger = (locationId: string, localAuthority: string, region: string, values: Partial<Contribution>, version = 1): LedgerEntry => ({
  locationId,
  reportDate: '2026-03-02',
  appliedVersion: version,
  contribution: figures(values),
  localAuthority,
  region,
});

describe('the scope of a rebuild', () => {
  test('England by default: the whole day, every area-day judged', () => {
    const scope = rebuildScope(undefined, []);
    expect(scope).toMatchObject({ ref: { level: 'england', area: 'E92000001' }, prefix: '' });
    expect(scope.covers({ level: 'localAuthority', area: 'E06000973' }, 'E12000008')).toBe(true);
    expect(scope.covers({ level: 'england', area: 'E92000001' }, undefined)).toBe(true);
  });

  test('a region: its prefix, the region and its councils, not England', () => {
    const scope = rebuildScope('E12000009', AUTHORITIES);
    expect(scope).toMatchObject({ ref: { level: 'region', area: 'E12000009' }, prefix: 'E12000009#' });
    expect(scope.covers({ level: 'region', area: 'E12000009' }, undefined)).toBe(true);
    expect(scope.covers({ level: 'localAuthority', area: 'E06000971' }, 'E12000009')).toBe(true);
    expect(scope.covers({ level: 'localAuthority', area: 'E06000973' }, 'E12000008')).toBe(false);
    expect(scope.covers({ level: 'region', area: 'E12000008' }, undefined)).toBe(false);
    expect(scope.covers({ level: 'england', area: 'E92000001' }, undefined)).toBe(false);
  });

  test('a council: region#council# (its region from the areas table), only the council judged', () => {
    const scope = rebuildScope('E06000971', AUTHORITIES);
    expect(scope).toMatchObject({ ref: { level: 'localAuthority', area: 'E06000971' }, prefix: 'E12000009#E06000971#', region: 'E12000009' });
    expect(scope.covers({ level: 'localAuthority', area: 'E06000971' }, 'E12000009')).toBe(true);
    expect(scope.covers({ level: 'localAuthority', area: 'E06000972' }, 'E12000009')).toBe(false);
    expect(scope.covers({ level: 'region', area: 'E12000009' }, undefined)).toBe(false);
  });

  test('refuses a council the areas table does not place, and a code that is no area', () => {
    expect(() => rebuildScope('E06000999', AUTHORITIES)).toThrow(/does not place E06000999 in a region/);
    expect(() => rebuildScope('E07000041', AUTHORITIES)).toThrow(/is not England/);
    expect(() => rebuildScope('nowhere', AUTHORITIES)).toThrow(/is not England/);
  });
});

describe('an area-day against its ledger', () => {
  test('sums the ledger entries into the area-days the scope covers, by the place the ledger holds', () => {
    const sums = new Map<string, AreaDaySum>();
    const region = rebuildScope('E12000009', AUTHORITIES);
    addLedgerEntry(sums, ledger('1-1', 'E06000971', 'E12000009', { locationsReporting: 1, 'vacancies.total': 3 }), region.covers);
    addLedgerEntry(sums, ledger('1-2', 'E06000972', 'E12000009', { locationsReporting: 1, 'vacancies.total': 2 }), region.covers);
    // Entries written before a metric existed lack it: it reads as 0.
    const old = ledger('1-3', 'E06000971', 'E12000009', { locationsReporting: 1 });
    delete (old.contribution as Partial<Contribution>).locationsReportingOnTime;
    addLedgerEntry(sums, old, region.covers);
    expect([...sums.keys()].sort()).toEqual(['localAuthority#E06000971', 'localAuthority#E06000972', 'region#E12000009']);
    expect(sums.get('region#E12000009')?.sum).toMatchObject({ locationsReporting: 3, 'vacancies.total': 5, locationsReportingOnTime: 0 });
    expect(sums.get('localAuthority#E06000971')).toMatchObject({ region: 'E12000009', sum: { locationsReporting: 2, 'vacancies.total': 3 } });
  });

  const ref = { level: 'localAuthority' as const, area: 'E06000971' };
  const sum = figures({ locationsReporting: 2, 'vacancies.total': 5 });

  test('equal figures: a match, whether or not every metric is stored', () => {
    expect(judgeAreaDay({ ref, date: '2026-03-02', readBefore: true, before: { locationsReporting: 2, 'vacancies.total': 5 }, after: { locationsReporting: 2, 'vacancies.total': 5 }, sum })).toEqual({ kind: 'match' });
    // Moved away: an item of zeros and no ledger entries is right.
    expect(judgeAreaDay({ ref, date: '2026-03-02', readBefore: true, before: figures({}), after: figures({}) })).toEqual({ kind: 'match' });
    expect(judgeAreaDay({ ref, date: '2026-03-02', readBefore: false })).toEqual({ kind: 'empty' });
  });

  test('a damaged item and a lost one are mismatches, metric by metric', () => {
    const damaged = judgeAreaDay({ ref, region: 'E12000009', date: '2026-03-02', readBefore: true, before: { locationsReporting: 7, 'vacancies.total': 5 }, after: { locationsReporting: 7, 'vacancies.total': 5 }, sum });
    expect(damaged).toEqual({
      kind: 'mismatch',
      mismatch: { ref, region: 'E12000009', date: '2026-03-02', aggregate: figures({ locationsReporting: 7, 'vacancies.total': 5 }), ledger: sum, differences: [{ metric: 'locationsReporting', aggregate: 7, ledger: 2 }] },
    });
    const lost = judgeAreaDay({ ref, date: '2026-03-02', readBefore: true, sum });
    expect(lost.kind).toBe('mismatch');
    expect(lost.kind === 'mismatch' && lost.mismatch.aggregate).toBeUndefined();
    expect(lost.kind === 'mismatch' && lost.mismatch.differences.map((difference) => difference.metric)).toEqual(['locationsReporting', 'vacancies.total']);
  });

  test('an item that moved while its ledger entries were read is not judged', () => {
    expect(judgeAreaDay({ ref, date: '2026-03-02', readBefore: true, before: { locationsReporting: 1 }, after: { locationsReporting: 2 }, sum })).toEqual({ kind: 'unsettled', ref });
    // Made meanwhile (not there, or not yet in the index, before): unknown when its entries were read.
    expect(judgeAreaDay({ ref, date: '2026-03-02', readBefore: false, after: { locationsReporting: 2 }, sum })).toEqual({ kind: 'unsettled', ref });
    expect(judgeAreaDay({ ref, date: '2026-03-02', readBefore: true, before: { locationsReporting: 1 }, sum })).toEqual({ kind: 'unsettled', ref });
  });

  test('two readings agree when aggregate − ledger is the same, though both moved by a ledger transaction between', () => {
    const mismatch = (aggregate: Partial<Contribution> | undefined, ledgerSum: Partial<Contribution>): Mismatch => ({
      ref,
      date: '2026-03-02',
      aggregate: aggregate && figures(aggregate),
      ledger: figures(ledgerSum),
      differences: [],
    });
    expect(sameDifference(mismatch({ locationsReporting: 7 }, { locationsReporting: 2 }), mismatch({ locationsReporting: 8 }, { locationsReporting: 3 }))).toBe(true);
    expect(sameDifference(mismatch({ locationsReporting: 7 }, { locationsReporting: 2 }), mismatch({ locationsReporting: 7 }, { locationsReporting: 3 }))).toBe(false);
    expect(sameDifference(mismatch(undefined, { locationsReporting: 2 }), mismatch({ locationsReporting: 0 }, { locationsReporting: 2 }))).toBe(false);
  });

  test("a location's newest return: the later day, then the higher version", () => {
    const item = (reportDate: string, version: number) => ({ locationId: '1-1', reportDate, version }) as ReturnItem;
    expect(newerReturn(undefined, item('2026-03-01', 1))).toEqual(item('2026-03-01', 1));
    expect(newerReturn(item('2026-03-01', 4), item('2026-03-02', 1))).toEqual(item('2026-03-02', 1));
    expect(newerReturn(item('2026-03-02', 2), item('2026-03-02', 1))).toEqual(item('2026-03-02', 2));
    expect(newerReturn(item('2026-03-02', 2), item('2026-03-02', 3))).toEqual(item('2026-03-02', 3));
  });
});

describe('the days a dead-letter file covers', () => {
  const record = (reportDate: string, localAuthority: string, region: string) => ({
    eventName: 'MODIFY',
    dynamodb: {
      ApproximateCreationDateTime: 1_772_400_000,
      Keys: { locationId: { S: '1-1' }, reportDate: { S: reportDate } },
      NewImage: { locationId: { S: '1-1' }, reportDate: { S: reportDate }, localAuthority: { S: localAuthority }, region: { S: region } },
      SequenceNumber: '100',
    },
  });
  const line = (...records: unknown[]) => JSON.stringify({ functionName: 'aggregator', condition: 'RetryAttemptsExhausted', records });

  test("the local poller's lines: the records' own report dates, and the one council (or region) they name", () => {
    const text = `${line(record('2026-03-02', 'E06000971', 'E12000009'), record('2026-02-27', 'E06000971', 'E12000009'))}\n${line(record('2026-03-01', 'E06000971', 'E12000009'))}\n`;
    expect(deadLetterWindow(text)).toEqual({ from: '2026-02-27', to: '2026-03-02', area: 'E06000971', batches: 2, records: 3, exact: true });
    expect(deadLetterWindow(line(record('2026-03-02', 'E06000971', 'E12000009'), record('2026-03-02', 'E06000972', 'E12000009'))).area).toBe('E12000009');
    expect(deadLetterWindow(line(record('2026-03-02', 'E06000971', 'E12000009'), record('2026-03-02', 'E06000973', 'E12000008'))).area).toBe('E92000001');
  });

  test("Lambda's on-failure records: arrival day − 7 to arrival day (London), all of England", () => {
    const onFailure = {
      requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:eu-west-2:1:function:agg', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 6 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-03-03T09:00:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000001',
        startSequenceNumber: '100',
        endSequenceNumber: '200',
        approximateArrivalOfFirstRecord: '2026-03-02T23:30:00Z',
        approximateArrivalOfLastRecord: '2026-03-03T08:59:00Z',
        batchSize: 12,
        streamArn: 'arn:aws:dynamodb:eu-west-2:1:table/returns/stream/2026',
      },
    };
    // 23:30 UTC on 2 March is 23:30 in London (GMT): the first arrival day is the 2nd.
    const expected = { from: addDays('2026-03-02', -7), to: '2026-03-03', area: 'E92000001', batches: 1, records: 0, exact: false };
    expect(deadLetterWindow(JSON.stringify(onFailure))).toEqual(expected);
    // As `aws sqs receive-message` prints them: each message's Body is the record.
    const received = { Messages: [{ MessageId: 'm1', ReceiptHandle: 'h', Body: JSON.stringify(onFailure) }, { MessageId: 'm2', ReceiptHandle: 'h2', Body: JSON.stringify({ ...onFailure, DDBStreamBatchInfo: { ...onFailure.DDBStreamBatchInfo, approximateArrivalOfFirstRecord: '2026-03-01T10:00:00Z' } }) }] };
    expect(deadLetterWindow(JSON.stringify(received))).toEqual({ ...expected, from: addDays('2026-03-01', -7), batches: 2 });
    expect(deadLetterWindow(JSON.stringify([onFailure]))).toEqual(expected);
    // Several files at once (--from-dead-letters a --from-dead-letters b): the window spans them all.
    expect(deadLetterWindow([JSON.stringify(onFailure), JSON.stringify(received)])).toEqual({ ...expected, from: addDays('2026-03-01', -7), batches: 3 });
    // In summer London is an hour ahead: 23:30 UTC is the next day there.
    const summer = { ...onFailure, DDBStreamBatchInfo: { ...onFailure.DDBStreamBatchInfo, approximateArrivalOfFirstRecord: '2026-07-01T23:30:00Z', approximateArrivalOfLastRecord: '2026-07-01T23:30:00Z' } };
    expect(deadLetterWindow(JSON.stringify(summer))).toMatchObject({ from: addDays(londonDay(new Date('2026-07-01T23:30:00Z')), -7), to: '2026-07-02' });
  });

  test('refuses what is not a dead letter', () => {
    expect(() => deadLetterWindow('')).toThrow(/no dead letters/);
    expect(() => deadLetterWindow('{"hello": 1}')).toThrow(/neither a batch/);
    expect(() => deadLetterWindow('{"records": []}\nnot json')).toThrow(/line 2 is not JSON/);
  });
});

describe('the requests', () => {
  test('which areas of a level have an aggregate for a day: the byLevel index, the whole day, keys and place only', () => {
    expect(dayAggregateAreasRequest('localAuthority', '2026-03-02', undefined, 'aggregates')).toEqual({
      TableName: 'aggregates',
      IndexName: 'byLevel',
      KeyConditionExpression: '#level = :level AND dateArea BETWEEN :from AND :to',
      ProjectionExpression: '#level, #area, #region',
      ExpressionAttributeNames: { '#level': 'level', '#area': 'area', '#region': 'region' },
      ExpressionAttributeValues: { ':level': 'localAuthority', ':from': '2026-03-02#', ':to': '2026-03-02#~' },
    });
  });

  test('a repair sets every figure to the ledger sum, on condition the item still holds exactly what was read', () => {
    const target = figures({ locationsReporting: 2, 'vacancies.total': 5 });
    const request = repairAggregateRequest(
      { ref: { level: 'localAuthority', area: 'E06000971' }, date: '2026-03-02', seen: { locationsReporting: 7, 'vacancies.total': 5 }, target, expected: 3, region: 'E12000009' },
      'aggregates',
    );
    expect(request.Key).toEqual({ areaKey: 'localAuthority#E06000971', date: '2026-03-02' });
    const names = request.ExpressionAttributeNames!;
    const values = request.ExpressionAttributeValues!;
    const nameOf = (metric: string) => Object.keys(names).find((name) => names[name] === metric)!;
    for (const metric of METRICS) expect(request.UpdateExpression).toContain(`${nameOf(metric)} = :t${nameOf(metric).slice(2)}`);
    expect(values[`:t${nameOf('vacancies.total').slice(2)}`]).toBe(5);
    expect(request.UpdateExpression).toContain('#region = :region');
    expect(request.UpdateExpression).toContain('locationsExpected = if_not_exists(locationsExpected, :expected)');
    expect(request.ConditionExpression).toContain('attribute_exists(areaKey)');
    expect(request.ConditionExpression).toContain(`${nameOf('locationsReporting')} = :s${nameOf('locationsReporting').slice(2)}`);
    expect(values[`:s${nameOf('locationsReporting').slice(2)}`]).toBe(7);
    // A figure read as 0 may be absent (written before it existed) or 0.
    expect(request.ConditionExpression).toContain(`(attribute_not_exists(${nameOf('bedsOccupied')}) OR ${nameOf('bedsOccupied')} = :zero)`);
  });

  test('a lost item is made again only if there is still none', () => {
    const request = repairAggregateRequest({ ref: { level: 'england', area: 'E92000001' }, date: '2026-03-02', seen: undefined, target: figures({ locationsReporting: 1 }), expected: 9 }, 'aggregates');
    expect(request.ConditionExpression).toBe('attribute_not_exists(areaKey)');
    expect(request.UpdateExpression).not.toContain('#region');
  });
});
