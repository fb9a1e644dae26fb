import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cqcSyncFunction } from '#shared/model/functions';
import { onsAreas, readOnsFiles } from '#shared/model/directory/ons';
import { runWithEnvironment } from '#shared/runtime/settings';
import { CQC_SAMPLE, defaultCqcRecords, localCqcApiKey, startCqcApiLocal, type CqcApiLocal } from '#scripts/local/cqc-api-local';
import { functionEnvironment, REPO_ROOT } from '#scripts/local/lambda-runtime';
import { ensureTables, exportTableNames, localTableNames } from '#scripts/local/local-tables';

/**
 * The sync on the real 728 CQC care homes of ../shared/data, served by the stand-in CQC API as `npm start`
 * serves them (its default records), into an empty directory of its own: the same placing as the file
 * import (test/integration/import-cqc.test.ts), through the API instead of a file.
 */
const ONS = join(REPO_ROOT, '..', 'shared', 'data', 'ons');
const available = existsSync(CQC_SAMPLE) && existsSync(ONS);
const tables = localTableNames(`syncs${process.pid}${Date.now() % 100000}`);
const savedEnv = { ...process.env };
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
const keyFile = join(mkdtempSync(join(tmpdir(), 'ct-cqc-sample-')), 'cqc-api-key');
let api: CqcApiLocal | undefined;

beforeAll(async () => {
  if (!available) return;
  exportTableNames(tables);
  await ensureTables(client, tables);
  api = await startCqcApiLocal({ key: localCqcApiKey(keyFile), changedAt: new Date('2026-02-01T12:00:00Z') });
  process.env.CQC_API_BASE_URL = api.url;
  process.env.CQC_API_KEY_FILE = keyFile;
  const { putAreas } = await import('#shared/repositories/areas');
  await putAreas(onsAreas(readOnsFiles(ONS)));
}, 60_000);

afterAll(async () => {
  await api?.stop();
  process.env = savedEnv;
  client.destroy();
});

describe.skipIf(!available)('the CQC sync on the real CQC sample', () => {
  test('serves the sample by default, and the sync places all 728 homes in the councils responsible for them', async () => {
    expect(defaultCqcRecords().records).toHaveLength(728);
    const { syncCqcLocations } = await import('#shared/services/directory/sync');
    const { getLocations } = await import('#shared/repositories/locations');
    const run = () =>
      runWithEnvironment(cqcSyncFunction.id, functionEnvironment(cqcSyncFunction), () =>
        syncCqcLocations({ since: new Date('2026-02-01T00:00:00Z'), now: new Date('2026-02-02T00:00:00Z'), firstRun: 'refuse' }),
      );
    const report = await run();
    expect(report).toMatchObject({ changes: 728, fetched: 728, notFound: [], complete: true, checkpointAfter: '2026-02-02T00:00:00Z' });
    expect(report.summary).toMatchObject({ added: 728, skipped: {}, unplaced: {} });
    // Two pages of changes (500 a page), then one request per location.
    expect(report.api).toMatchObject({ requests: 2 + 728, rateLimited: 0, serverErrors: 0 });

    const ids = defaultCqcRecords().records.map((record) => record.locationId!);
    const stored = (
      await runWithEnvironment(cqcSyncFunction.id, functionEnvironment(cqcSyncFunction), () =>
        Promise.all(Array.from({ length: Math.ceil(ids.length / 100) }, (_, n) => getLocations(ids.slice(n * 100, n * 100 + 100)))),
      )
    ).flat();
    const perCouncil: Record<string, number> = {};
    for (const location of stored) perCouncil[location.localAuthority] = (perCouncil[location.localAuthority] ?? 0) + 1;
    expect(perCouncil).toEqual({ E10000008: 324, E06000066: 222, E06000026: 97, E06000027: 85 });
    expect(stored.filter(({ active }) => !active)).toHaveLength(4);

    // The same stretch again changes nothing.
    const again = await run();
    expect(again.summary).toMatchObject({ added: 0, changed: [], unchanged: 728 });
  });
});
