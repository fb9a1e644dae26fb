import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { functionDefinitions } from '#shared/model/functions';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';
import { build, currentBuild, entryPoints, jsPath, staleness, START_ENTRY } from '../../scripts/local/build.mjs';

/**
 * `npm start` runs the esbuild build of the local stack under plain node (scripts/local/launch.mjs), made
 * first when the sources are newer than it (scripts/local/build.mjs). Every function the local runtime
 * imports by path is in it, and a changed source makes it stale.
 */
describe('the local stack build', () => {
  test('holds the start script and every function entry; stale once a source it was built from changes', async () => {
    const built = await build();
    expect(currentBuild()?.id).toBe(built.id);
    expect(staleness()).toBeUndefined();
    expect(existsSync(join(built.dir, jsPath(START_ENTRY)))).toBe(true);
    for (const definition of functionDefinitions) {
      expect(entryPoints()).toContain(definition.handler);
      expect(existsSync(join(built.dir, jsPath(definition.handler)))).toBe(true);
    }
    // Built from the sources it read: the gateway among them, and no npm package (they stay external).
    expect(built.manifest.inputs).toContain('scripts/local/gateway.ts');
    expect(built.manifest.inputs.some((input) => input.includes('node_modules'))).toBe(false);

    // A source touched after the build makes it stale; its old time back, it is current again.
    const source = join(REPO_ROOT, 'scripts', 'local', 'gateway.ts');
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(built.manifest.startedAt + 1_000));
      expect(staleness()).toBe('scripts/local/gateway.ts changed');
    } finally {
      utimesSync(source, atime, mtime);
    }
    expect(staleness()).toBeUndefined();
  }, 120_000);
});
