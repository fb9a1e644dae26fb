import './local/process-defaults';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { attachOrUseEnvironment } from './local/attach';
import { parseStage, useDeployedStage } from './aws/deployed-stage';
import { progress } from './bench/environment';
import { REPO_ROOT } from './local/lambda-runtime';
import { summaryLines } from './directory-summary';
import { LOCAL_AUTHORITY_PATTERN } from '#shared/model/schemas/common';

const USAGE = `npm run import:cqc -- PATH [--ons DIR] [--place "NAME=E06XXXXXX" ...] [--stage dev|prod]

  PATH    CQC location records: a JSON Lines file, a JSON array file, or a folder of *.json files
  --ons   the ONS lookups folder (default ../shared/data/ons)
  --place the council's ONS code (E06, E08, E09 or E10) for a council name the lookups do not know (repeatable)
  --stage a deployed stage instead of the local stack: its tables are read from the stage's data stack,
          with your AWS credentials and region (AWS_PROFILE, AWS_REGION)`;

/** `npm run import:cqc -- PATH`: upsert CQC location records into the directory of the running stack. */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { ons: { type: 'string' }, place: { type: 'string', multiple: true }, stage: { type: 'string' }, help: { type: 'boolean' } },
  });
  const path = positionals[0];
  if (values.help || !path) {
    console.log(USAGE);
    process.exit(path ? 0 : 1);
  }
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const onsDir = values.ons ?? join(REPO_ROOT, '..', 'shared', 'data', 'ons');
  if (!existsSync(onsDir)) throw new Error(`The ONS lookups are not at ${onsDir}; give their folder with --ons`);
  const places = Object.fromEntries(
    (values.place ?? []).map((pair) => {
      const [name, code] = pair.split('=');
      if (!name || !code || !LOCAL_AUTHORITY_PATTERN.test(code.trim())) throw new Error(`--place wants NAME=CODE with the code of a council (E06, E08, E09 or E10 and 6 digits), not ${pair}`);
      return [name.trim(), code.trim()];
    }),
  );
  const target = values.stage ? await useDeployedStage(parseStage(values.stage)) : attachOrUseEnvironment();
  console.log(`importing ${path} into ${target}`);
  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { importCqc } = await import('#shared/services/directory/import');
  let bar: ((done: number) => void) | undefined;
  const summary = await importCqc({ path, onsDir, places, onProgress: (done, total) => (bar ??= progress('  writing', total))(done) });

  console.log(`\nread ${summary.read} records`);
  for (const line of summaryLines(summary, (name) => `no council of that name in the ONS lookups (place it with --place "${name}=E06XXXXXX", the council's code)`)) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
