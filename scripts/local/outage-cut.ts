import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Why a kill of DynamoDB Local is not just a SIGKILL: DynamoDB Local answers a TransactWriteItems a few
 * milliseconds before the write reaches its SQLite file, so a SIGKILL in between takes back a write it
 * acknowledged (`npx tsx scripts/local/probe-durability.ts` shows it: about 4 runs in 10 lose one, each
 * acknowledged 1-6 ms before the kill; PutItem loses none). DynamoDB commits before it answers. A fault
 * test that killed it bare would see "data loss" that is DynamoDB Local's, not ours.
 *
 * So the kill is what an outage looks like to this process's callers of DynamoDB: from the moment it is
 * decided, no answer is delivered (each becomes a lost answer, ECONNRESET: the write may or may not have
 * been made, as after a real network fault) and no request is sent (ECONNREFUSED); after the grace,
 * everything it acknowledged is on disk, and the process is killed. Requests still in flight then are
 * cut off by the kill itself.
 */
export const COMMIT_GRACE_MS = 1_000;

const unreachable = (code: 'ECONNREFUSED' | 'ECONNRESET', message: string) => Object.assign(new Error(message), { code });
const installed = new WeakMap<DynamoDBClient, { cut: boolean }>();

function cutSwitch(client: DynamoDBClient): { cut: boolean } {
  let state = installed.get(client);
  if (state) return state;
  const switchState = { cut: false };
  state = switchState;
  installed.set(client, state);
  client.middlewareStack.add(
    (next) => async (args) => {
      if (switchState.cut) throw unreachable('ECONNREFUSED', 'DynamoDB Local is being killed');
      const result = await next(args);
      if (switchState.cut) throw unreachable('ECONNRESET', 'DynamoDB Local was killed before its answer arrived');
      return result;
    },
    // Inside the SDK's retries (finalizeRequest, after the retry middleware): a retry meets the cut too.
    { step: 'finalizeRequest', priority: 'low', name: 'localOutageCut' },
  );
  return state;
}

/** Cuts `client` off from DynamoDB Local, waits for what it acknowledged to be on disk, then `kill`s it. */
export async function killAfterCut(client: DynamoDBClient, kill: () => Promise<void>, graceMs = COMMIT_GRACE_MS): Promise<void> {
  const state = cutSwitch(client);
  state.cut = true;
  try {
    await new Promise((resolve) => setTimeout(resolve, graceMs));
    await kill();
  } finally {
    state.cut = false;
  }
}
