import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '#scripts/local/lambda-runtime';

/**
 * The layer rules of `.dependency-cruiser.cjs` over the whole tree: shared/ as model → runtime →
 * repositories → services → http, no folder or module cycles, only repositories talking to DynamoDB,
 * nothing of scripts/ or test/ reachable from a function, scripts/ never importing test/.
 */
test('the code keeps its layers (dependency-cruiser)', () => {
  const run = spawnSync(process.execPath, ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', 'functions', 'shared', 'infra', 'scripts', 'test', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(run.stdout + run.stderr).toMatch(/no dependency violations found/);
  expect(run.status).toBe(0);
}, 120_000);
