// The local stack as esbuild-built JavaScript, so `npm start` runs it under plain `node` (no tsx: no
// TypeScript compiler hooks and caches in the stack's process). Plain JavaScript, because it runs before
// anything is built. `launch.mjs` asks `isStale()` and, when the sources are newer than the build, runs
// this file as a child process (`node scripts/local/build.mjs`), so esbuild never loads into the stack.
//
// One build, with code splitting: the start script and every function entry (functions/**/*.ts), whose
// handlers the local runtime imports on first use as a warm Lambda container would. Shared code sits in
// chunks loaded once, so the stack and its handlers share one instance of each module, as they do under
// tsx. npm packages stay external (node_modules, as installed). Each build goes into a folder of its own
// under .build/local/ (git-ignored) and `current.json` names the newest, so a rebuild never changes the
// files of a stack still running from an older one; folders no running stack uses are removed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where builds go (git-ignored). */
export const BUILD_ROOT = join(REPO_ROOT, '.build', 'local');
const CURRENT = join(BUILD_ROOT, 'current.json');
/** The entry `npm start` runs, relative to the repository and to a build folder (as .js there). */
export const START_ENTRY = 'scripts/local/start.ts';
/** Besides the sources esbuild read: a change to any of these makes a new build. */
const BUILD_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/local/build.mjs'];

/** The entry points: the start script and every function's entry file (the handlers are imported by path at run time). */
export function entryPoints(root = REPO_ROOT) {
  const found = [START_ENTRY];
  const walk = (folder) => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')) found.push(path);
    }
  };
  walk('functions');
  return found.sort();
}

/** The build `current.json` names: its folder and what it was built from; undefined if there is none. */
export function currentBuild() {
  try {
    const { id } = JSON.parse(readFileSync(CURRENT, 'utf8'));
    const dir = join(BUILD_ROOT, id);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    return { id, dir, manifest };
  } catch {
    return undefined;
  }
}

/**
 * Why the current build cannot be used (a sentence), or undefined if it can: none yet, built from another
 * checkout or Node, a different set of entries, or a source or build file changed since it was built.
 */
export function staleness(build = currentBuild()) {
  if (!build) return 'no build yet';
  const { manifest } = build;
  if (manifest.root !== REPO_ROOT) return 'built for another checkout';
  if (manifest.node !== process.version) return `built under Node ${manifest.node}`;
  if (!existsSync(join(build.dir, jsPath(START_ENTRY)))) return 'the build is incomplete';
  if (JSON.stringify(manifest.entryPoints) !== JSON.stringify(entryPoints())) return 'the function entries changed';
  for (const file of [...BUILD_FILES, ...manifest.inputs]) {
    let modified;
    try {
      modified = statSync(join(REPO_ROOT, file)).mtimeMs;
    } catch {
      return `${file} is gone`;
    }
    if (modified > manifest.startedAt) return `${file} changed`;
  }
  return undefined;
}

/** A source path (relative to the repository) as its output in a build folder. */
export function jsPath(source) {
  return source.replace(/\.ts$/, '.js');
}

/**
 * Each module keeps its own `import.meta.url` (its source file's URL), so what it finds relative to
 * itself (the repository root, the DynamoDB Local launcher's source, the seed's data files) is where it
 * was, wherever its code lands in the chunks.
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/** Build into a new folder, make it current, and remove the folders no running stack uses. Returns it. */
export async function build() {
  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  mkdirSync(BUILD_ROOT, { recursive: true });
  const id = `${startedAt.toString(36)}-${process.pid}`;
  const scratch = join(BUILD_ROOT, `${id}.partial`);
  const entries = entryPoints();
  try {
    const result = await esbuild.build({
      absWorkingDir: REPO_ROOT,
      entryPoints: entries,
      outbase: '.',
      outdir: scratch,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      packages: 'external',
      chunkNames: 'chunks/[name]-[hash]',
      // Stack traces name the TypeScript source (node --enable-source-maps, as launch.mjs runs it when asked).
      sourcemap: 'linked',
      sourcesContent: false,
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
      plugins: [sourceUrls],
    });
    const inputs = Object.keys(result.metafile.inputs)
      .filter((path) => !path.startsWith('node_modules/') && !path.includes('/node_modules/'))
      .sort();
    const manifest = { startedAt, builtAt: Date.now(), root: REPO_ROOT, node: process.version, esbuild: esbuild.version, entryPoints: entries, inputs };
    writeFileSync(join(scratch, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const dir = join(BUILD_ROOT, id);
    renameSync(scratch, dir);
    const next = `${CURRENT}.${process.pid}`;
    writeFileSync(next, `${JSON.stringify({ id })}\n`);
    renameSync(next, CURRENT);
    prune(id);
    return { id, dir, manifest };
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  } finally {
    await esbuild.stop();
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Marks a build folder as used by this process (until it exits), so a later build leaves it alone. */
export function markInUse(dir) {
  mkdirSync(join(dir, 'in-use'), { recursive: true });
  const mark = join(dir, 'in-use', String(process.pid));
  writeFileSync(mark, '');
  process.once('exit', () => rmSync(mark, { force: true }));
}

/** Removes the build folders that are not current and that no live process uses (and partial ones left by a failed build). */
function prune(currentId) {
  for (const name of readdirSync(BUILD_ROOT)) {
    if (name === currentId || name.startsWith('current.json')) continue;
    const dir = join(BUILD_ROOT, name);
    if (name.endsWith('.partial')) {
      const pid = Number(name.slice(0, -'.partial'.length).split('-').at(-1));
      if (!isAlive(pid)) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    let users = [];
    try {
      users = readdirSync(join(dir, 'in-use')).map(Number);
    } catch {
      // nobody marked it
    }
    if (!users.some((pid) => pid !== process.pid && isAlive(pid))) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The build to run: the current one, or a new one made first (in a child process, with one line saying
 * so) when the sources are newer. `log` prints that line.
 */
export function ensureBuilt(log) {
  const reason = staleness();
  if (!reason) return currentBuild();
  const started = performance.now();
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.status !== 0) throw new Error(`the build failed (${child.error?.message ?? `exit ${child.status ?? child.signal}`})`);
  const built = currentBuild();
  if (!built) throw new Error('the build wrote nothing');
  log(`built the local stack with esbuild (${reason}) in ${((performance.now() - started) / 1000).toFixed(1)} s: ${relative(REPO_ROOT, built.dir)}`);
  return built;
}

// `node scripts/local/build.mjs`: build now.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build().catch((error) => {
    console.error(`[local] build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
