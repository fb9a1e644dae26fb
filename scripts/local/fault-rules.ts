import { ProvisionedThroughputExceededException, ThrottlingException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Fault injection for the local stack and the load tests (`LOCAL_FAULTS`), never set in AWS: DESIGN §9
 * allows mocks for faults that cannot be produced for real, and DynamoDB Local never throttles.
 *
 * `LOCAL_FAULTS` is a comma-separated list:
 * - `throttle:<share>` (0..1): that share of the handlers' DynamoDB calls is rejected with
 *   ProvisionedThroughputExceededException or ThrottlingException before it is sent, inside the SDK's
 *   retry loop, so the SDK retries it as it would a real throttle;
 * - `crash:<n>`: the process hosting the aggregator dies (SIGKILL) part-way through the batch in which
 *   its n-th record arrives, after the aggregator has applied that batch up to it (`scripts/local/faults.ts`).
 *
 * Never in a production bundle: nothing under shared/ or functions/ imports this file (a layer rule).
 */
export interface LocalFaults {
  throttle?: number;
  crashAfterRecords?: number;
}

export function parseLocalFaults(spec: string | undefined): LocalFaults {
  const faults: LocalFaults = {};
  for (const part of (spec ?? '').split(',').map((entry) => entry.trim()).filter(Boolean)) {
    const [name, value = ''] = part.split(':');
    const number = Number(value);
    if (name === 'throttle' && value !== '' && number >= 0 && number <= 1) faults.throttle = number;
    else if (name === 'crash' && Number.isInteger(number) && number >= 1) faults.crashAfterRecords = number;
    else throw new Error(`LOCAL_FAULTS: cannot read "${part}" (expected throttle:<0..1> or crash:<records>)`);
  }
  return faults;
}

/**
 * Adds the throttling `LOCAL_FAULTS` asks for to the handlers' DynamoDB client, once per process, before
 * the first handler runs. The production client carries no hook: the fault is added here, from outside.
 */
let installed = false;
export async function installLocalFaults(spec = process.env.LOCAL_FAULTS): Promise<void> {
  if (installed || !spec) return;
  installed = true;
  const { throttle } = parseLocalFaults(spec);
  if (!throttle) return;
  const { dynamoClient } = await import('#shared/runtime/dynamodb');
  addThrottling(dynamoClient, throttle);
}

/**
 * What the injected rejections have been, for the load test's report: calls seen, attempts rejected, and
 * calls that still failed after all of the SDK's retries, by the tables they touched.
 */
export const injectedFaults = { calls: 0, throttled: 0, exhausted: 0, exhaustedByTable: {} as Record<string, number> };

const INJECTED = Symbol('injected by LOCAL_FAULTS');

/** The tables a request names: TableName, or those of a transaction's items or a batch's keys. */
export function tablesOf(input: Record<string, unknown>): string[] {
  if (typeof input.TableName === 'string') return [input.TableName];
  if (Array.isArray(input.TransactItems)) {
    return [...new Set((input.TransactItems as Array<Record<string, { TableName?: string }>>).flatMap((item) => Object.values(item).flatMap((part) => (part?.TableName ? [part.TableName] : []))))];
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems);
  return [];
}

/**
 * Rejects a share of attempts before they reach the network. Added at the end of finalizeRequest, after
 * the retry middleware, so each attempt is rejected (or not) on its own and the SDK's own retries apply;
 * a second middleware, outside the retries, counts the calls that failed even so.
 */
export function addThrottling(client: DynamoDBClient, share: number, random: () => number = Math.random): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      injectedFaults.calls += 1;
      if (random() < share) {
        injectedFaults.throttled += 1;
        const options = { message: `injected by LOCAL_FAULTS for ${context.commandName ?? 'a call'}`, $metadata: { httpStatusCode: 400 } };
        const error = injectedFaults.throttled % 2 === 0 ? new ThrottlingException(options) : new ProvisionedThroughputExceededException(options);
        throw Object.assign(error, { [INJECTED]: true });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'localFaultsThrottling' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error && typeof error === 'object' && INJECTED in error) {
          injectedFaults.exhausted += 1;
          for (const table of tablesOf(args.input as Record<string, unknown>)) injectedFaults.exhaustedByTable[table] = (injectedFaults.exhaustedByTable[table] ?? 0) + 1;
        }
        throw error;
      }
    },
    { step: 'initialize', priority: 'high', name: 'localFaultsThrottlingExhausted' },
  );
}
