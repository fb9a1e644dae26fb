import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AuthorizerContext } from '../../shared/auth/identity';
import type { TableId } from '../../shared/tables';
import { demoLocations } from '../seed/demo-data';
import { demoUsers, type DemoUser } from '../seed/demo-users';
import type { IncomingRequest } from './api-event';
import { startDynamoLocal, useLocalAwsEnvironment } from './dynamodb-local';
import { createGateway, jsonResponse, REPO_ROOT } from './gateway';
import { usePowertoolsLocalDefaults } from './local-settings';
import { ensureTables, exportTableNames, localTableNames } from './local-tables';

export interface LocalStackOptions {
  port: number;
  /** Where DynamoDB Local keeps its data; undefined keeps everything in memory. */
  dynamoDataDir?: string;
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

/** The caller's user until sign-in exists: `X-Local-User: <demo user id>`, the demo admin when absent. */
export const LOCAL_USER_HEADER = 'x-local-user';
export const DEFAULT_LOCAL_USER = 'admin';

function placeholderIdentity(users: DemoUser[]) {
  return async (request: IncomingRequest): Promise<AuthorizerContext | undefined> => {
    const header = request.headers[LOCAL_USER_HEADER];
    const id = (Array.isArray(header) ? header[0] : header) ?? DEFAULT_LOCAL_USER;
    const user = users.find((candidate) => candidate.id === id);
    return user ? { userId: user.id, role: user.role, areas: user.areas } : undefined;
  };
}

/** The gateway with the local-only endpoints and the placeholder identity of the demo users. */
export function createLocalGateway(users: DemoUser[], log?: (line: string) => void) {
  return createGateway({
    authorize: placeholderIdentity(users),
    localRoutes: {
      'GET /local/users': async () => jsonResponse(200, users),
    },
    webDir: join(REPO_ROOT, 'web'),
    ...(log ? { log } : {}),
  });
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
    const server = createLocalGateway(users, options.logRequests ? log : undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://localhost:${port}`,
      dynamodbEndpoint: dynamo.endpoint,
      tables,
      users,
      stop: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
