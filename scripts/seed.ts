import './local/process-defaults';
import { attachToStack } from './local/attach';

/** `npm run seed`: (re)load the demo data into the running stack, with returns dated up to now. */
async function main(): Promise<void> {
  const target = attachToStack();
  console.log(`seeding demo data into ${target}`);
  // Imported after attaching: repositories read their table names from the environment when loaded.
  const { seedDemo } = await import('./seed/seed-demo');
  const summary = await seedDemo({ force: true, log: (line) => console.log(line) });
  console.log(`done: ${summary.locations} locations, ${summary.returns} daily returns (${summary.versions} versions)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
