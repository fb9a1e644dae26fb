import './local/process-defaults';
import { stageScript } from './aws/stage-script';

const USAGE = `npm run migrate:returns -- [--stage dev|prod]

  Gives every daily return stored before exports existed its place key (region#localAuthority#locationId),
  so the returns table's byDay index, which exports read, holds it. Reads the returns table once (a Scan:
  a one-off migration) and updates only the returns without one, each on condition that it still has
  none. Safe beside live writes, idempotent: a second run finds nothing to do.

  --stage a deployed stage instead of the local stack (AWS_PROFILE, AWS_REGION)`;

stageScript(USAGE, {}, async (_values, target) => {
  console.log(`placing daily returns in ${target}`);
  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { migrateReturnPlaces } = await import('#shared/services/returns/migrate-places');
  const summary = await migrateReturnPlaces(({ scanned, placed }) => process.stdout.write(`\r  returns read: ${scanned}, placed: ${placed}`));
  process.stdout.write('\n');
  console.log(`placed ${summary.placed} returns${summary.alreadyPlaced ? ` (${summary.alreadyPlaced} were placed by a write meanwhile)` : ''}`);
  console.log(summary.placed + summary.alreadyPlaced === 0 ? 'nothing left to do.' : 'done; exports now find every return.');
});
