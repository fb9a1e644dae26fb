import './local/process-defaults';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stageScript } from './aws/stage-script';
import { REPO_ROOT } from './local/lambda-runtime';

const USAGE = `npm run migrate:areas -- [--ons DIR] [--stage dev|prod]

  Moves every location placed in a two-tier district (E07) or a county since replaced to the council with
  adult social care responsibility (E06/E08/E09/E10), keeping the district; gives its stored returns the
  new place and moves each day's contribution to the new areas' aggregates; deletes the old areas' rows
  once empty. Safe beside live writes, idempotent: run it again until it reports nothing moved.

  --ons   the ONS lookups folder (default ../shared/data/ons)
  --stage a deployed stage instead of the local stack (AWS_PROFILE, AWS_REGION)`;

const onsDirOf = (ons: string | undefined) => ons ?? join(REPO_ROOT, '..', 'shared', 'data', 'ons');

stageScript(
  USAGE,
  { ons: { type: 'string' } },
  async (values, target) => {
    const onsDir = onsDirOf(values.ons);
    console.log(`moving locations to their councils in ${target}`);
    // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
    const { onsAreas, readOnsFiles } = await import('#shared/model/directory/ons');
    const { migrateAreas } = await import('#shared/services/directory/migrate-areas');
    let shown = 0;
    const summary = await migrateAreas(onsAreas(readOnsFiles(onsDir)), {
      onProgress: (done) => {
        shown = done;
        process.stdout.write(`\r  locations checked: ${done}`);
      },
    });
    if (shown > 0) process.stdout.write('\n');
    console.log(`checked ${summary.locations} locations`);
    console.log(`  moved to their council   ${summary.moved}`);
    console.log(`  returns given the place  ${summary.returnsMoved}${summary.returnsRaced ? ` (${summary.returnsRaced} replaced meanwhile: run again)` : ''}`);
    console.log(`  days moved in aggregates ${summary.daysMoved}`);
    console.log(`  old area rows deleted    ${summary.emptyRowsDeleted}${summary.rowsStillCounting ? ` (${summary.rowsStillCounting} still counting: run again)` : ''}`);
    for (const { locationId, localAuthority } of summary.unplaceable.slice(0, 20)) console.log(`  no council for ${locationId} (placed in ${localAuthority}): import its CQC record again`);
    if (summary.unplaceable.length > 20) console.log(`  ... and ${summary.unplaceable.length - 20} more without a council`);
    const clean = summary.moved + summary.returnsMoved + summary.daysMoved + summary.returnsRaced + summary.rowsStillCounting === 0;
    console.log(clean ? 'nothing left to move.' : 'run it once more to confirm nothing is left to move.');
  },
  (values) => {
    if (!existsSync(onsDirOf(values.ons))) throw new Error(`The ONS lookups are not at ${onsDirOf(values.ons)}; give their folder with --ons`);
  },
);
