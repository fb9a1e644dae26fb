/**
 * `npm run synth [-- -c stage=prod ...]`: `cdk synth` (which runs cdk-nag on the app) with the given
 * arguments, then every template it wrote checked against the CloudFormation resource database. The
 * arguments go to cdk, so a stage's settings are checked the same way as the default's.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './local/lambda-runtime';

const args = process.argv.slice(2);
const outputAt = args.findIndex((arg) => arg === '-o' || arg === '--output');
const output = outputAt >= 0 ? args[outputAt + 1] : undefined;
const outputDir = output ?? 'cdk.out';

function run(command: string, commandArgs: string[]): number {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: REPO_ROOT });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const cdk = join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
const synthesized = run(cdk, ['synth', '--quiet', '--no-notices', ...args]);
process.exitCode = synthesized !== 0 ? synthesized : run(process.execPath, [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO_ROOT, 'scripts', 'validate-templates.ts'), outputDir]);
