import './local/process-defaults';
import { attachOrUseEnvironment } from './local/attach';

/** `npm run seed`: (re)load the demo data into the running stack, with returns dated up to now. */
async function main(): Promise<void> {
  // Demo data is for the local stack and DynamoDB Local only: table names without a local endpoint are a
  // deployed stage's, and demo homes must never land among real ones.
  if (process.env.LOCATIONS_TABLE && !process.env.DYNAMODB_ENDPOINT) {
    throw new Error('Refusing to seed demo data into tables without DYNAMODB_ENDPOINT: those are a deployed stage\'s tables');
  }
  const target = attachOrUseEnvironment();
  console.log(`seeding demo data into ${target}`);
  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { seedDemo } = await import('./seed/seed-demo');
  const summary = await seedDemo({ force: true, log: (line) => console.log(line) });
  console.log(`done: ${summary.locations} locations, ${summary.returns} daily returns (${summary.versions} versions)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
