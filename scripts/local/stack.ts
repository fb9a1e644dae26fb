import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { TableId } from '../../shared/tables';
import { demoLocations } from '../seed/demo-data';
import { demoUsers, type DemoUser } from '../seed/demo-users';
import { startDynamoLocal, useLocalAwsEnvironment } from './dynamodb-local';
import { createGateway, REPO_ROOT } from './gateway';
import { createLocalIssuer, exportIssuerSettings, type LocalIssuer } from './issuer';
import { localEndpoints } from './local-endpoints';
import { usePowertoolsLocalDefaults } from './local-settings';
import { ensureTables, exportTableNames, localTableNames } from './local-tables';

export interface LocalStackOptions {
  port: number;
  /** Where DynamoDB Local keeps its data; undefined keeps everything in memory. */
  dynamoDataDir?: string;
  /** Where the local issuer keeps its keys; undefined makes new ones each run. */
  keysDir?: string;
  seed: boolean;
  log?: (line: string) => void;
  logRequests?: boolean;
  tablePrefix?: string;
}

export interface LocalStack {
  url: string;
  dynamodbEndpoint: string;
  tables: Record<TableId, string>;
  users: DemoUser[];
  stop(): Promise<void>;
}

export interface RunningGateway {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The gateway on a loopback port, with the local-only endpoints, and the authorizer told to trust the
 * local issuer (its JWKS is served by this same gateway).
 */
export async function startLocalGateway(options: { port: number; users: DemoUser[]; issuer: LocalIssuer; log?: (line: string) => void }): Promise<RunningGateway> {
  const server = createGateway({
    localRoutes: localEndpoints(options.users, options.issuer),
    webDir: join(REPO_ROOT, 'web'),
    ...(options.log ? { log: options.log } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  exportIssuerSettings(options.issuer, `http://127.0.0.1:${port}`);
  return {
    server,
    url: `http://localhost:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The whole system on one machine: DynamoDB Local, the tables from the shared definitions, demo data,
 * and the gateway running the deployed handlers. Used by `npm start` and by the tests.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  usePowertoolsLocalDefaults();
  const dynamo = await startDynamoLocal(options.dynamoDataDir ? { dataDir: options.dynamoDataDir } : {});
  try {
    useLocalAwsEnvironment(dynamo.endpoint);
    const tables = localTableNames(options.tablePrefix);
    exportTableNames(tables);
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
    const created = await ensureTables(client, tables);
    client.destroy();
    if (created.length > 0) log(`created tables: ${created.join(', ')}`);

    if (options.seed) {
      // Imported only now: repositories read their table names from the environment when loaded.
      const { seedDemo } = await import('../seed/seed-demo');
      const summary = await seedDemo({ log });
      if (!summary.skipped) log(`demo data: ${summary.locations} locations, ${summary.returns} daily returns (${summary.versions} versions)`);
    }

    const users = demoUsers(demoLocations());
    const issuer = await createLocalIssuer(options.keysDir);
    const gateway = await startLocalGateway({ port: options.port, users, issuer, ...(options.logRequests ? { log } : {}) });
    return {
      url: gateway.url,
      dynamodbEndpoint: dynamo.endpoint,
      tables,
      users,
      stop: async () => {
        await gateway.close();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
