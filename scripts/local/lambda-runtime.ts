import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Handler modules imported on first use and kept, as a warm Lambda container keeps them. */
const handlers = new Map<string, Promise<LambdaHandler>>();

/** The `handler` export of a function's entry file (a path relative to the repository, as the route table names it). */
export function loadHandler(entry: string): Promise<LambdaHandler> {
  let loaded = handlers.get(entry);
  if (!loaded) {
    loaded = import(join(REPO_ROOT, entry)).then((module: { handler: LambdaHandler }) => module.handler);
    handlers.set(entry, loaded);
  }
  return loaded;
}

/** Run a function as Lambda would, within a deadline; 'timeout' if it ran out. Throws what the function throws. */
export async function runFunction(entry: string, functionName: string, event: unknown, timeoutMs: number): Promise<unknown> {
  const handler = await loadHandler(entry);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([handler(event, lambdaContext(functionName, timeoutMs)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
