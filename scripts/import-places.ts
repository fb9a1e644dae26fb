import './local/process-defaults';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { attachOrUseEnvironment } from './local/attach';
import { parseStage, useDeployedStage } from './aws/deployed-stage';
import { REPO_ROOT } from './local/lambda-runtime';

const USAGE = `npm run import:places -- [FILE] [--stage dev|prod]

  Writes the UK's postcode districts (the outward code, OL8) with their centres, towns and areas into
  the places table, where "Find a bed" looks up a postcode or district to search near. Idempotent.

  FILE    the districts CSV: district,latitude,longitude,town,area (default ../shared/data/geo/postcode-districts.csv)
  --stage a deployed stage instead of the local stack (AWS_PROFILE, AWS_REGION)`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { stage: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const file = positionals[0] ?? join(REPO_ROOT, '..', 'shared', 'data', 'geo', 'postcode-districts.csv');
  if (!existsSync(file)) throw new Error(`No districts file at ${file}\n\n${USAGE}`);
  const target = values.stage ? await useDeployedStage(parseStage(values.stage)) : attachOrUseEnvironment();
  const { parsePostcodeDistricts } = await import('#shared/model/directory/postcodes');
  // Imported after attaching: the DynamoDB client takes the running stack's endpoint when it loads.
  const { putPostcodeDistricts } = await import('#shared/repositories/places');
  const districts = parsePostcodeDistricts(readFileSync(file, 'utf8'));
  console.log(`writing ${districts.length} postcode districts to ${target}`);
  const batch = 500;
  for (let done = 0; done < districts.length; done += batch) {
    await putPostcodeDistricts(districts.slice(done, done + batch));
    process.stdout.write(`\r  written: ${Math.min(done + batch, districts.length)} of ${districts.length}`);
  }
  process.stdout.write('\n');
  console.log('done.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
