import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LoadOptions } from './options';
import { machine, progressBar, type ProgressMode } from './report';
import { attachTarget, startSelfTarget, type LoadTarget } from './target';
import { checkingClient } from './verify';

/** Where a load run sends its progress and fault events (stderr in the CLI; nothing in tests). */
export interface LoadIo {
  log(line: string): void;
  progress: ProgressMode;
}

/** What both kinds of load run (closed loop, `--rate`) start from: the machine, the stack, a client to check with. */
export interface RunStart {
  before: ReturnType<typeof machine>;
  at: string;
  /** Seconds spent in each phase so far, by name. */
  phases: Record<string, number>;
  /** Ends the phase under way, named. */
  phase(name: string): void;
  target: LoadTarget;
  /** To the caller's log and the stack's. */
  log(line: string): void;
  progress: ReturnType<typeof progressBar>;
  db: DynamoDBDocumentClient;
  destroy(): void;
}

export async function startRun(options: LoadOptions, io: LoadIo): Promise<RunStart> {
  const before = machine();
  const at = new Date().toISOString();
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round((now - mark) / 100) / 10;
    mark = now;
  };
  const target: LoadTarget = options.self ? await startSelfTarget(options) : attachTarget();
  phase('stack');
  const log = (line: string) => {
    io.log(line);
    target.log(line);
  };
  const { db, destroy } = checkingClient(target.dynamodbEndpoint);
  return { before, at, phases, phase, target, log, progress: progressBar(io.progress), db, destroy };
}
