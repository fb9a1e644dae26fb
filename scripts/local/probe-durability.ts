/**
 * Does DynamoDB Local keep every write it acknowledged when it is SIGKILLed? Eight writers write in a
 * loop (TransactWriteItems of two items, or PutItem), the process is killed 3-5 s in, started again on
 * its data, and each writer's last acknowledged write is looked for. Prints, per round, the writes lost
 * and how long before the kill each was acknowledged. The reason the fault tests kill through
 * `killAfterCut` (outage-cut.ts). `npx tsx scripts/local/probe-durability.ts [rounds] [grace ms]`: with a grace, the writers stop first and the
 * kill comes that long after (as `killAfterCut` does), and nothing should be lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoLocal, type RunningDynamo } from './dynamodb-local';

const TABLE = 'durability-probe';
const WRITERS = 8;

async function round(kind: 'TransactWriteItems' | 'PutItem', graceMs: number | undefined): Promise<{ acknowledged: number; lost: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'durability-probe-'));
  let dynamo: RunningDynamo = await startDynamoLocal({ dataDir });
  const clientOf = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'eu-west-2', credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' }, maxAttempts: 1 });
  let client = clientOf(dynamo.endpoint);
  try {
    const key = { AttributeName: 'k', KeyType: 'HASH' } as const;
    await client.send(new CreateTableCommand({ TableName: TABLE, KeySchema: [key], AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const acknowledged = new Map<string, { n: number; at: number }>();
    let acknowledgedWrites = 0;
    let stopped = false;
    const write = (k: string, n: number) => ({ TableName: TABLE, Item: { k: { S: k }, n: { N: String(n) } } });
    const writer = async (id: number) => {
      for (let n = 1; !stopped; n += 1) {
        try {
          if (kind === 'PutItem') await client.send(new PutItemCommand(write(`w${id}`, n)));
          else await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: write(`w${id}`, n) }, { Put: write(`w${id}-other`, n) }] }));
        } catch {
          return;
        }
        acknowledged.set(`w${id}`, { n, at: Date.now() });
        acknowledgedWrites += 1;
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, id) => writer(id));
    await new Promise((resolve) => setTimeout(resolve, 3_000 + Math.random() * 2_000));
    if (graceMs !== undefined) {
      // As killAfterCut does: no more answers taken, then time for what was acknowledged to reach disk.
      stopped = true;
      await Promise.allSettled(writers);
      await new Promise((resolve) => setTimeout(resolve, graceMs));
    }
    const killedAt = Date.now();
    await new Promise<void>((resolve) => {
      dynamo.process.once('exit', () => resolve());
      dynamo.process.kill('SIGKILL');
    });
    stopped = true;
    await Promise.allSettled(writers);
    client.destroy();
    dynamo = await startDynamoLocal({ dataDir, port: dynamo.port });
    client = clientOf(dynamo.endpoint);
    const lost: string[] = [];
    for (const [k, { n, at }] of acknowledged) {
      const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: { k: { S: k } }, ConsistentRead: true }));
      const stored = Number(Item?.n?.N ?? 0);
      if (stored < n) lost.push(`write ${n} of ${k}, acknowledged ${killedAt - at} ms before the kill (stored: ${stored})`);
    }
    return { acknowledged: acknowledgedWrites, lost };
  } finally {
    client.destroy();
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rounds = Number(process.argv[2] ?? 5);
const graceMs = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
console.log(graceMs === undefined ? 'killed with writes in flight' : `writes stopped, then killed ${graceMs} ms later`);
for (const kind of ['TransactWriteItems', 'PutItem'] as const) {
  let lostRounds = 0;
  for (let i = 1; i <= rounds; i += 1) {
    const { acknowledged, lost } = await round(kind, graceMs);
    if (lost.length) lostRounds += 1;
    console.log(`${kind} round ${i}/${rounds}: ${acknowledged} writes acknowledged, ${lost.length} lost${lost.length ? `: ${lost.join('; ')}` : ''}`);
  }
  console.log(`${kind}: acknowledged writes lost in ${lostRounds} of ${rounds} rounds\n`);
}
