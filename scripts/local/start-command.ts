import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './lambda-runtime';

/**
 * What `npm start` runs (package.json's `start` script, `node scripts/local/launch.mjs`), as a command
 * and its arguments with this Node for `node`: how the benchmarks and the tests start the stack as a user
 * does, without npm's own process in between.
 */
export function startCommand(): { command: string; args: string[] } {
  const script = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [program, ...args] = script.trim().split(/\s+/);
  if (program !== 'node') throw new Error(`package.json's start script should run node, not: ${script}`);
  return { command: process.execPath, args };
}
