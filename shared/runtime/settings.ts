import { AsyncLocalStorage } from 'node:async_hooks';
import { settingDefinitions, type SettingName } from '#shared/model/settings';
import { tables, type TableId } from '#shared/model/tables';

/**
 * The one way code reads its configuration: table names and the settings of `shared/model/settings.ts`,
 * each read at first use (never when a module loads) and checked, failing with a message that names the
 * variable and where it is declared.
 *
 * In AWS a function's environment is `process.env`, which the CDK app fills from the function's
 * definition. The local stack runs every function in one process, so it runs each invocation inside
 * `runWithEnvironment` with only what that function declares: a handler that reads anything else fails
 * locally just as it would in AWS.
 */
export type FunctionEnvironment = Readonly<Record<string, string | undefined>>;

const scope = new AsyncLocalStorage<{ functionId: string; environment: FunctionEnvironment }>();
const checked = new WeakMap<object, Map<string, string>>();

export function runWithEnvironment<T>(functionId: string, environment: FunctionEnvironment, run: () => T): T {
  return scope.run({ functionId, environment }, run);
}

function current(): { functionId: string; environment: FunctionEnvironment } {
  return scope.getStore() ?? { functionId: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'this process', environment: process.env };
}

function read(variable: string, check: (value: string) => string | undefined, declaredIn: string): string {
  const { functionId, environment } = current();
  let seen = checked.get(environment);
  const cached = seen?.get(variable);
  if (cached !== undefined) return cached;
  const value = environment[variable];
  if (value === undefined || value === '') {
    throw new Error(`${variable} is not set for ${functionId}: declare it for the function in ${declaredIn}`);
  }
  const problem = check(value);
  if (problem) throw new Error(`${variable} (${functionId}) ${problem}`);
  if (!seen) checked.set(environment, (seen = new Map()));
  seen.set(variable, value);
  return value;
}

export function tableName(id: TableId): string {
  return read(tables[id].envVar, () => undefined, "shared/model/functions.ts (its tables)");
}

export function setting(name: SettingName): string {
  return read(
    name,
    (value) => {
      const result = settingDefinitions[name].schema.safeParse(value);
      return result.success ? undefined : `is not valid: ${settingDefinitions[name].about} (${result.error.issues[0]?.message ?? 'invalid'})`;
    },
    'shared/model/functions.ts (its settings)',
  );
}

/** A variable only the local stack sets (an inline key instead of a secret's ARN); undefined in AWS. */
export function localOnly(variable: string): string | undefined {
  const value = current().environment[variable];
  return value === '' ? undefined : value;
}
