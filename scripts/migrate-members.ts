import './local/process-defaults';
import { stageScript } from './aws/stage-script';

const USAGE = `npm run migrate:members -- [--stage dev|prod]

  Gives every location with memberships its exact member and manager counts (which the unreachable
  report and the last-manager rule read), and makes the earliest-granted member of a team without a
  manager its manager (audited as a member.change by migrate:members). Memberships written before there
  were managers carry no flag, and their locations no counts. Each location's counts are set only if
  they are still what was read: one a member change reached meanwhile is left and reported as raced.
  Memberships of a location the directory does not have are reported, not written. Safe beside live
  writes, idempotent: run it again until it reports nothing left to fix.

  --stage a deployed stage instead of the local stack (AWS_PROFILE, AWS_REGION)`;

stageScript(USAGE, {}, async (_values, target) => {
  console.log(`counting members and managers in ${target}`);
  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { migrateMembers } = await import('#shared/services/people/migrate-members');
  let shown = false;
  const summary = await migrateMembers({
    onProgress: ({ membershipsRead, locationsFound, locationsChecked }) => {
      shown = true;
      process.stdout.write(`\r  memberships read: ${membershipsRead}, locations checked: ${locationsChecked}/${locationsFound}`);
    },
  });
  if (shown) process.stdout.write('\n');
  console.log(`checked ${summary.locations} locations`);
  console.log(`  counts fixed    ${summary.countsFixed}`);
  console.log(`  managers made   ${summary.managersMade}`);
  console.log(`  raced           ${summary.raced.length}${summary.raced.length ? ' (a member changed meanwhile: run again)' : ''}`);
  console.log(`  orphans         ${summary.orphans.length}${summary.orphans.length ? ' (memberships of a location the directory does not have: not written)' : ''}`);
  for (const locationId of summary.raced.slice(0, 20)) console.log(`  raced: ${locationId}`);
  if (summary.raced.length > 20) console.log(`  ... and ${summary.raced.length - 20} more raced`);
  for (const { locationId, memberships } of summary.orphans.slice(0, 20)) {
    console.log(`  no location ${locationId} in the directory (${memberships} membership${memberships === 1 ? '' : 's'}): import its CQC record, then run this again`);
  }
  if (summary.orphans.length > 20) console.log(`  ... and ${summary.orphans.length - 20} more without a directory entry`);
  const clean = summary.countsFixed + summary.managersMade + summary.raced.length === 0;
  console.log(clean ? 'nothing left to fix.' : 'run it once more to confirm nothing is left to fix.');
});
