import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTableInput, tables as definitions } from '#shared/model/tables';
import type { BenchEnvironment } from './environment';
import { progress } from './environment';

export interface ReminderBenchRow {
  staleShare: number;
  locations: number;
  staleLocations: number;
  itemsRead: number;
  readPerStale: number;
  emailsSent: number;
  runSeconds: number;
  bareQueryMs: number;
}

const LOCATIONS = 30_000;
const AREAS = ['E08000004', 'E08000003', 'E06000027', 'E06000026', 'E09000033', 'E08000025', 'E06000018', 'E08000021', 'E08000035', 'E06000045'];
const REGION_OF: Record<string, string> = {
  E08000004: 'E12000002', E08000003: 'E12000002', E06000027: 'E12000009', E06000026: 'E12000009', E09000033: 'E12000007',
  E08000025: 'E12000005', E06000018: 'E12000004', E08000021: 'E12000001', E08000035: 'E12000003', E06000045: 'E12000008',
};

/**
 * The reminder run over 30,000 locations with 1%, 10% and 50% of them stale: index entries read and
 * wall time for the whole run (finding, claiming, signing links, sending through the local SES
 * endpoint), beside a bare Query of the same stale entries. What is read should track the stale count.
 */
export async function benchReminders(environment: BenchEnvironment, shares = [0.01, 0.1, 0.5]): Promise<ReminderBenchRow[]> {
  const { putLocations } = await import('#shared/repositories/locations');
  const { runReminders } = await import('#shared/services/reminders/run');
  const { sendEmail } = await import('#shared/runtime/ses');
  const { dynamo } = await import('#shared/runtime/dynamodb');
  const now = new Date('2026-11-24T10:05:00Z');
  const iso = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const rows: ReminderBenchRow[] = [];
  for (const share of shares) {
    // A clean audit table each time, so every stale location is due its email again.
    await environment.client.send(new DeleteTableCommand({ TableName: environment.tables.reminderSends }));
    await environment.client.send(new CreateTableCommand(createTableInput(definitions.reminderSends, environment.tables.reminderSends)));
    await environment.ses.clear();

    const staleEvery = Math.round(1 / share);
    const show = progress(`  loading ${LOCATIONS} locations (${share * 100}% stale)`, LOCATIONS);
    for (let start = 0; start < LOCATIONS; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, LOCATIONS - start) }, (_, offset) => {
        const i = start + offset;
        const area = AREAS[i % AREAS.length]!;
        return {
          locationId: `1-5${String(i).padStart(8, '0')}`,
          providerId: `1-6${String(Math.floor(i / 3)).padStart(8, '0')}`,
          name: `Bench Home ${i}`,
          type: 'careHome' as const,
          categories: ['residential' as const],
          registeredBeds: 40,
          localAuthority: area,
          region: REGION_OF[area]!,
          active: true,
          lastUpdated: i % staleEvery === 0 ? iso(30 + (i % 50)) : iso(1 + (i % 20)),
          contactEmail: `home${i}@homes.example`,
        };
      });
      await Promise.all([0, 250, 500, 750].map((at) => putLocations(batch.slice(at, at + 250))));
      show(start + batch.length);
    }

    const started = performance.now();
    const report = await runReminders(now, { sendEmail, webBaseUrl: 'http://localhost:3000' });
    const runSeconds = (performance.now() - started) / 1000;

    const bareStarted = performance.now();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: environment.tables.locations,
          IndexName: 'activeByCountry',
          KeyConditionExpression: 'activeCountry = :e AND freshness < :before',
          ExpressionAttributeValues: { ':e': 'E92000001', ':before': iso(24) },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const bareQueryMs = performance.now() - bareStarted;

    rows.push({
      staleShare: share,
      locations: LOCATIONS,
      staleLocations: report.staleLocations,
      itemsRead: report.itemsRead,
      readPerStale: report.itemsRead / Math.max(1, report.staleLocations),
      emailsSent: report.sent.length,
      runSeconds,
      bareQueryMs,
    });
    process.stderr.write(`  ${share * 100}% stale: ${report.staleLocations} stale, ${report.itemsRead} read, ${report.sent.length} emails in ${runSeconds.toFixed(1)} s\n`);
  }
  return rows;
}
