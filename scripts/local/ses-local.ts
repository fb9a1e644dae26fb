import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesServerModule from 'aws-ses-v2-local';
import { clearStore, getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';

// A CommonJS module with `exports.default`: Node's ESM loader hands back the whole exports object,
// bundlers and vitest the default itself.
const startSesServer = (sesServerModule as unknown as { default?: typeof sesServerModule }).default ?? sesServerModule;

/** Sent mail in the shape of DESIGN §3's `GET /local/emails`. */
export interface LocalEmail {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

export interface LocalSes {
  /** What SESClient({ endpoint }) is given. */
  endpoint: string;
  /** Oldest first; `since` keeps mail sent at or after it (to the second, as the store keeps time). */
  emails(since?: Date): Promise<LocalEmail[]>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The local SES endpoint: aws-ses-v2-local, in this process, on a loopback port. It answers the v1
 * SendEmail call the reminder job makes with a message id, and keeps the mail (same id) for reading.
 * Its store lives in the module, so there is one per process; `clear` empties it.
 */
export async function startLocalSes(options: { port?: number } = {}): Promise<LocalSes> {
  const server: Server = await startSesServer({ host: '127.0.0.1', port: options.port ?? 0 });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    emails: async (since) => {
      const from = since ? Math.floor(since.getTime() / 1000) : 0;
      return getStoreReadonly()
        .emails.filter((email) => email.at >= from)
        .map((email) => ({
          messageId: email.messageId,
          from: email.from,
          to: [...email.destination.to],
          cc: [...email.destination.cc],
          subject: email.subject,
          text: email.body.text ?? '',
          html: email.body.html ?? '',
          sentAt: new Date(email.at * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        }));
    },
    clear: async () => clearStore(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
