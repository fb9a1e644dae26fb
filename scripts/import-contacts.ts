import './local/process-defaults';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { attachOrUseEnvironment } from './local/attach';
import { parseStage, useDeployedStage } from './aws/deployed-stage';
import { progress } from './bench/environment';

const USAGE = `npm run import:contacts -- FILE [--stage dev|prod]

  FILE    a CSV with a header: locationId, reminderEmails (1-5 addresses separated by ;), phone (optional),
          providerContact (optional: the provider's nominated contact). Other columns are ignored.
  --stage a deployed stage instead of the local stack (AWS_PROFILE, AWS_REGION)

  Sets where each location's reminders go, writing only what differs (run it again: nothing changes),
  each change audited as import:contacts:<you>. Rows it cannot use are listed by their row number.`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { stage: { type: 'string' }, help: { type: 'boolean' } } });
  const file = positionals[0];
  if (values.help || !file) {
    console.log(USAGE);
    process.exit(file ? 0 : 1);
  }
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const target = values.stage ? await useDeployedStage(parseStage(values.stage)) : attachOrUseEnvironment();
  console.log(`importing contacts from ${file} into ${target}`);
  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { importContacts } = await import('#shared/services/people/import-contacts');
  let bar: ((done: number) => void) | undefined;
  const summary = await importContacts(readFileSync(file, 'utf8'), `import:contacts:${userInfo().username}`, new Date(), (done, total) => (bar ??= progress('  writing', total))(done));
  console.log(`\nread ${summary.read} rows`);
  console.log(`  reminder addresses set  ${summary.set}`);
  console.log(`  unchanged               ${summary.unchanged}`);
  console.log(`  provider contacts set   ${summary.providersSet}`);
  console.log(`  not used                ${summary.problems.length}`);
  for (const { line, problem } of summary.problems.slice(0, 50)) console.log(`    row ${line}: ${problem}`);
  if (summary.problems.length > 50) console.log(`    ... and ${summary.problems.length - 50} more`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
