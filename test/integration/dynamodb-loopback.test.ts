import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, test } from 'vitest';

/**
 * DynamoDB Local holds the memberships, users and contacts of the local stack, and answers anyone who can
 * reach its port with any credentials: it must listen on 127.0.0.1 alone
 * (`scripts/local/LoopbackDynamoDBLocal.java`), not on every interface as its own main does. This is the
 * DynamoDB Local the test run's global setup started, through `startDynamoLocal` as `npm start` does.
 */
const endpoint = new URL(process.env.DYNAMODB_ENDPOINT!);
const port = Number(endpoint.port);

/** This machine's addresses other than loopback, as a client elsewhere on the network would reach it. */
function otherAddresses(): string[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? [])
      .filter((address) => !address.internal)
      .map((address) => (address.family === 'IPv6' && address.address.toLowerCase().startsWith('fe80:') ? `${address.address}%${name}` : address.address)),
  );
}

/** Opens a TCP connection: 'connected', or the error code (ECONNREFUSED when nothing listens there). */
function tryConnect(host: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('DynamoDB Local listens on loopback only', () => {
  test('its endpoint is 127.0.0.1, and it answers there', async () => {
    expect(endpoint.hostname).toBe('127.0.0.1');
    expect(await tryConnect('127.0.0.1')).toBe('connected');
    const client = new DynamoDBClient({ endpoint: endpoint.toString(), region: 'eu-west-2', credentials: { accessKeyId: 'anyone', secretAccessKey: 'anyone' }, maxAttempts: 1 });
    try {
      const listed = await client.send(new ListTablesCommand({ Limit: 1 }));
      expect(listed.TableNames?.length).toBe(1);
    } finally {
      client.destroy();
    }
  });

  const addresses = otherAddresses();
  test.skipIf(addresses.length === 0)(`its port is refused on every other address of this machine (${addresses.join(', ') || 'none here'})`, async () => {
    const outcomes = Object.fromEntries(await Promise.all(addresses.map(async (address) => [address, await tryConnect(address)] as const)));
    expect(outcomes).toEqual(Object.fromEntries(addresses.map((address) => [address, 'ECONNREFUSED'])));
  });
});
