/** Types of build.mjs (plain JavaScript: it runs before anything is built). */
export interface BuildManifest {
  /** When the build began (ms since the epoch): a source changed after it makes the build stale. */
  startedAt: number;
  builtAt: number;
  root: string;
  node: string;
  esbuild: string;
  entryPoints: string[];
  /** The repository's files esbuild read (relative paths); npm packages stay outside the build. */
  inputs: string[];
}
export interface Build {
  id: string;
  dir: string;
  manifest: BuildManifest;
}
export const REPO_ROOT: string;
export const BUILD_ROOT: string;
export const START_ENTRY: string;
export function entryPoints(root?: string): string[];
export function currentBuild(): Build | undefined;
export function staleness(build?: Build | undefined): string | undefined;
export function jsPath(source: string): string;
export function build(): Promise<Build>;
export function markInUse(dir: string): void;
export function ensureBuilt(log: (line: string) => void): Build;
