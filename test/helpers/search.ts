import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll } from 'vitest';
import { loadHandler, REPO_ROOT } from '#scripts/local/lambda-runtime';
import { startStreamPoller, type StreamPoller } from '#scripts/local/stream-poller';
import { parsePostcodeDistricts, type PostcodeDistrict } from '#shared/model/directory/postcodes';
import { aggregatorFunction } from '#shared/model/functions';

/**
 * The vacancy index is kept by the returns stream: a file that searches starts an aggregator of its own
 * on the shared returns table (from the latest record), so the returns it writes reach the index.
 */
export function useAggregatorPoller(): void {
  let poller: StreamPoller | undefined;
  beforeAll(async () => {
    const aggregator = (await loadHandler(aggregatorFunction.handler)) as (event: DynamoDBStreamEvent, context: Context) => Promise<void>;
    poller = await startStreamPoller({
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      tableName: process.env.RETURNS_TABLE!,
      functionName: 'aggregator',
      handler: aggregator,
      startingPosition: 'LATEST',
      pollIntervalMs: 50,
      deadLetterFile: join(mkdtempSync(join(tmpdir(), 'ct-search-')), 'dead-letters.jsonl'),
    });
  });
  afterAll(() => poller?.stop());
}

/** The real postcode district centres of ../shared/data. */
export function postcodeDistricts(): PostcodeDistrict[] {
  return parsePostcodeDistricts(readFileSync(join(REPO_ROOT, '..', 'shared', 'data', 'geo', 'postcode-districts.csv'), 'utf8'));
}

/** The tests' own great-circle distance, written out independently of the code under test. */
export function haversineMiles(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const toRad = (d: number) => (d * Math.PI) / 180;
  const s = Math.sin(toRad(b.latitude - a.latitude) / 2) ** 2 + Math.cos(toRad(a.latitude)) * Math.cos(toRad(b.latitude)) * Math.sin(toRad(b.longitude - a.longitude) / 2) ** 2;
  return 2 * 3958.8 * Math.asin(Math.sqrt(s));
}
