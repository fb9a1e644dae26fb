import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { tableVariables, type FunctionDefinition } from '#shared/model/functions';
import { LOCAL_CQC_API_KEY_FILE, LOCAL_UPDATE_LINK_SECRET, LOCAL_USER_DIRECTORY } from '#shared/model/settings';
import { runWithEnvironment, type FunctionEnvironment } from '#shared/runtime/settings';
import { lambdaContext } from './lambda-context';
import { installLocalFaults } from './fault-rules';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Set by `npm start` (scripts/local/launch.mjs) when the stack runs from its esbuild build: the folder of
 * that build, where each function's entry is its path with `.js` for `.ts`. Unset under tsx (the tests,
 * the other scripts): the TypeScript entry itself is imported.
 */
function handlerModule(entry: string): string {
  const build = (globalThis as { __CAPACITY_TRACKER_LOCAL_BUILD__?: string }).__CAPACITY_TRACKER_LOCAL_BUILD__;
  return build ? pathToFileURL(join(build, entry.replace(/\.ts$/, '.js'))).href : join(REPO_ROOT, entry);
}

/** Handler modules imported on first use and kept, as a warm Lambda container keeps them. */
const handlers = new Map<string, Promise<LambdaHandler>>();

/** The `handler` export of a function's entry file (a path relative to the repository, as the definitions name it). */
export function loadHandler(entry: string): Promise<LambdaHandler> {
  let loaded = handlers.get(entry);
  if (!loaded) {
    loaded = installLocalFaults().then(() => import(handlerModule(entry))).then((module: { handler: LambdaHandler }) => module.handler);
    handlers.set(entry, loaded);
  }
  return loaded;
}

/**
 * What the CDK app would give the function, from the values the local system holds (in this process's
 * environment): its tables' names and its declared settings, nothing else. The update-link key's ARN is
 * given locally as the key itself, the CQC API key's as the file that holds it, and the user pool's as
 * LOCAL_USER_DIRECTORY (there is no pool: the users table alone).
 */
export function functionEnvironment(definition: FunctionDefinition, pool: NodeJS.ProcessEnv = process.env): FunctionEnvironment {
  const environment: Record<string, string | undefined> = {};
  for (const variable of Object.keys(tableVariables(definition))) environment[variable] = pool[variable];
  for (const name of definition.settings) {
    if (name === 'UPDATE_LINK_SECRET_ARN' && pool[LOCAL_UPDATE_LINK_SECRET]) environment[LOCAL_UPDATE_LINK_SECRET] = pool[LOCAL_UPDATE_LINK_SECRET];
    else if (name === 'CQC_API_KEY_SECRET_ARN' && pool[LOCAL_CQC_API_KEY_FILE]) environment[LOCAL_CQC_API_KEY_FILE] = pool[LOCAL_CQC_API_KEY_FILE];
    else if (name === 'USER_POOL_ID' && pool[LOCAL_USER_DIRECTORY]) environment[LOCAL_USER_DIRECTORY] = pool[LOCAL_USER_DIRECTORY];
    else environment[name] = pool[name];
  }
  return environment;
}

/**
 * Run a function as Lambda would: its own environment (`functionEnvironment`), its own timeout from its
 * definition (unless the caller's, e.g. API Gateway's authorizer limit, is shorter); 'timeout' if it
 * ran out. Throws what the function throws.
 */
export async function runFunction(definition: FunctionDefinition, event: unknown, options: { timeoutMs?: number } = {}): Promise<unknown> {
  const handler = await loadHandler(definition.handler);
  const timeoutMs = Math.min(definition.timeoutSeconds * 1000, options.timeoutMs ?? Number.POSITIVE_INFINITY);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
  });
  try {
    const run = runWithEnvironment(definition.id, functionEnvironment(definition), () => handler(event, lambdaContext(definition.id, timeoutMs)));
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
