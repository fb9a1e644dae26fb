import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TableId } from '#shared/model/tables';

/** What a running `npm start` tells other scripts (seed, bench, load) so they can find it. */
export interface StackInfo {
  pid: number;
  gatewayUrl: string;
  dynamodbEndpoint: string;
  /** So a later start can stop the Java process a crashed run left behind. */
  dynamodbPid?: number;
  tables: Record<TableId, string>;
  /** The stand-in CQC API (`npm run sync:cqc` calls it) and the file holding its key. */
  cqcApiUrl?: string;
  cqcApiKeyFile?: string;
  inMemory: boolean;
  startedAt: string;
}

export const stackFilePath = (dataDir: string) => join(dataDir, 'stack.json');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running stack described under `dataDir`, or undefined (a file left by a crashed run is ignored). */
export function readRunningStack(dataDir: string): StackInfo | undefined {
  const file = stackFilePath(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function writeStackFile(dataDir: string, info: StackInfo): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(stackFilePath(dataDir), `${JSON.stringify(info, null, 2)}\n`);
}

export function removeStackFile(dataDir: string, pid: number): void {
  const file = stackFilePath(dataDir);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as StackInfo).pid === pid) rmSync(file);
  } catch {
    // already gone
  }
}

/**
 * A run that died without Ctrl-C (killed, crashed) leaves its stack.json and its DynamoDB Local
 * behind: stop that Java process, so it does not hold the data folder. Returns its pid if it did.
 */
export function reapStaleStack(dataDir: string): number | undefined {
  const file = stackFilePath(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
    if (isAlive(info.pid)) return undefined;
    rmSync(file);
    if (info.dynamodbPid && isAlive(info.dynamodbPid)) {
      process.kill(info.dynamodbPid, 'SIGTERM');
      return info.dynamodbPid;
    }
  } catch {
    // unreadable: nothing to reap
  }
  return undefined;
}
