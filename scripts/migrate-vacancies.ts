import './local/process-defaults';
import { stageScript } from './aws/stage-script';

const USAGE = `npm run migrate:vacancies -- [--stage dev|prod]

  Puts the vacancy index in the layout of issue 20: one entry per area (and per latitude row) for each
  location with a vacancy, holding every category, instead of one per category. Indexes each location's
  newest return again (the copy its directory entry keeps), deleting its entries of the old layout in the
  same transaction, conditional on what was read: safe beside live writes, idempotent (a second run
  changes nothing). Reads the directory a page at a time; run it once, right after the deploy that
  brings the new layout (until then, searches miss the locations that have not reported since).

  --stage a deployed stage instead of the local stack (AWS_PROFILE, AWS_REGION)`;

stageScript(USAGE, {}, async (_values, target) => {
  console.log(`indexing vacancies again in ${target}`);
  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { migrateVacancyEntries, oldLayoutLeft } = await import('#shared/services/vacancies/migrate-entries');
  const summary = await migrateVacancyEntries(({ locations, reindexed }) => process.stdout.write(`\r  locations read: ${locations}, indexed again: ${reindexed}`));
  process.stdout.write('\n');
  console.log(`indexed ${summary.reindexed} locations again; ${summary.unchanged} were already in the present layout, ${summary.withoutReturn} have no return yet`);
  console.log((await oldLayoutLeft()) ? 'entries of the old layout are left (a location not in the directory?): run it again, or look at them' : 'done: no entry of the old layout is left.');
});
