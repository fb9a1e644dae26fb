// `npm start`: the local stack (scripts/local/start.ts) as esbuild-built JavaScript under plain `node`,
// in this one process. The build is made first when the sources are newer than it (build.mjs), with one
// line saying so; otherwise the last build runs at once. Plain JavaScript: nothing is built yet when it runs.
// package.json runs it as `node --max-semi-space-size=8 scripts/local/launch.mjs`: V8's young generation
// at most 2 × 8 MB instead of 2 × 16 MB, about 20 MB less resident for a few more (cheap) scavenges; the
// stack's CPU is not what bounds it (DynamoDB Local's is). Stack traces name the build's chunks;
// `NODE_OPTIONS=--enable-source-maps npm start` maps them to the TypeScript (the build has its source maps).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, jsPath, markInUse, START_ENTRY } from './build.mjs';
import { usePowertoolsLocalDefaults } from './powertools-defaults.mjs';

// As scripts/local/process-defaults.ts, before any AWS SDK module loads (npm packages stay outside the build).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Before the build loads, not when startLocalSystem calls it: too late there (powertools-defaults.mjs).
usePowertoolsLocalDefaults();

let built;
try {
  built = ensureBuilt((line) => console.log(`[local] ${line}`));
} catch (error) {
  console.error(`[local] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
markInUse(built.dir);
// The local Lambda runtime imports each handler from the build (scripts/local/lambda-runtime.ts).
globalThis.__CAPACITY_TRACKER_LOCAL_BUILD__ = built.dir;
await import(pathToFileURL(join(built.dir, jsPath(START_ENTRY))).href);
