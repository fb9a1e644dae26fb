import '../local/process-defaults';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseLoadOptions, USAGE } from './options';
import { formatOpenLoop, runOpenLoop } from './open-loop';
import { printResult } from './print';
import { runLoad } from './run';

async function main(): Promise<void> {
  const options = parseLoadOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const io = { log: (line: string) => process.stderr.write(`${line}\n`), progress: options.quiet ? ('off' as const) : process.stderr.isTTY ? ('tty' as const) : ('lines' as const) };
  const result = options.rate !== undefined ? await runOpenLoop({ ...options, rate: options.rate }, io) : await runLoad(options, io);
  if ('ratePerSecond' in result) console.log(formatOpenLoop(result));
  else printResult(result);
  if (options.json) {
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  }
  // The SDK's and fetch's keep-alive sockets would hold the process open a while.
  process.exit(result.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`load: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
