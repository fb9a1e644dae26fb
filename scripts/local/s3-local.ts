import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Server } from 'node:http';

// @20minutes/s3rver is CommonJS with no type declarations: required, and typed here as far as it is used.
const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver') as new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
  configureBuckets: { name: string }[];
}) => S3rverServer;
/** Its registry of access keys (one fake account; the package has no `exports` map, so the file is reachable). */
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void } };

/** A Koa application. */
interface S3rverServer {
  middleware: Array<(ctx: KoaContext, next: () => Promise<void>) => Promise<void>>;
  store: { getResourcePath(bucket: string, key: undefined, resource: string): string };
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer: Server;
}

export interface LocalS3 {
  /** What S3Client({ endpoint, forcePathStyle: true }) is given. */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  /** Keep the objects here between runs; default a temporary folder, removed on stop. */
  dataDir?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Made if missing. */
  buckets: string[];
  /**
   * The access key clients sign with. s3rver checks SigV4 signatures (headers and presigned query
   * strings) against the keys it knows; default what the local stack's clients use, AWS_ACCESS_KEY_ID and
   * AWS_SECRET_ACCESS_KEY (`useLocalAwsEnvironment` sets them to local/local unless they are set).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Called after each request is answered (tests count the multipart calls with it). */
  onRequest?: (request: { method: string; url: string; status: number }) => void;
}

/**
 * An S3-compatible server in this process on a loopback port: @20minutes/s3rver (pure JavaScript, objects
 * as files). It checks what S3 checks of a signed request: the access key, the SigV4 signature (of the
 * Authorization header, or of a presigned URL's query string), a presigned URL's expiry, and the clock
 * skew of a header-signed one. Unlike S3 it lets an unsigned request through as anonymous, so a request
 * with no signature at all is refused here (403 AccessDenied), as the private exports bucket refuses it;
 * and it has no AbortMultipartUpload (it answers 405), which is added here, so a failed upload is
 * aborted as in S3 (and the upload's own error, not the abort's, reaches the caller).
 *
 * Its one known difference in signing: it encodes a presigned URL's query values with encodeURIComponent,
 * not RFC 3986 as SigV4 does, so a link whose query holds any of !'()* (in a response-content-disposition
 * filename, say) fails with SignatureDoesNotMatch here though S3 accepts it (`presignDownload` keeps
 * filenames to characters that are safe either way).
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const directory = options.dataDir ? resolvePath(options.dataDir) : mkdtempSync(join(tmpdir(), 'ct-s3-'));
  mkdirSync(directory, { recursive: true });
  const accessKeyId = options.credentials?.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID ?? 'local';
  const secretAccessKey = options.credentials?.secretAccessKey ?? process.env.AWS_SECRET_ACCESS_KEY ?? 'local';
  // The registry is the module's, shared by every server in this process; adding the same pair again is harmless.
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);

  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    // Path-style only: the endpoint is an IP address, and no `<bucket>.localhost` names are involved.
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  // Koa composes its middleware when the server starts listening, so this runs before s3rver's own.
  server.middleware.unshift(async (ctx, next) => {
    const signed = 'authorization' in ctx.headers || 'X-Amz-Algorithm' in ctx.query || 'Signature' in ctx.query;
    if (!signed && ctx.method !== 'OPTIONS') {
      ctx.status = 403;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
    } else {
      try {
        await next();
      } catch (error) {
        // s3rver checked the signature before refusing the method, so the request is authenticated.
        if (ctx.method === 'DELETE' && typeof ctx.query.uploadId === 'string' && (error as { code?: string }).code === 'MethodNotAllowed') {
          abortMultipartUpload(ctx, server.store.getResourcePath(ctx.path.split('/')[1] ?? '', undefined, 'uploads'), ctx.query.uploadId);
        } else {
          // s3rver's errors (SignatureDoesNotMatch, NoSuchKey, ...) carry their status and become XML after this.
          options.onRequest?.({ method: ctx.method, url: ctx.url, status: (error as { status?: number }).status ?? 500 });
          throw error;
        }
      }
    }
    options.onRequest?.({ method: ctx.method, url: ctx.url, status: ctx.status });
  });

  let address: { port: number };
  try {
    address = await server.run();
  } catch (error) {
    if (!options.dataDir) rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const { httpServer } = server;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stop: () =>
      (stopped ??= (async () => {
        // The SDK keeps connections alive; close them, or close() waits for them.
        httpServer.closeAllConnections();
        await server.close();
        if (!options.dataDir) rmSync(directory, { recursive: true, force: true });
      })()),
  };
}

/** S3's AbortMultipartUpload: the parts are dropped; 204, or 404 NoSuchUpload. */
function abortMultipartUpload(ctx: KoaContext, uploadsDir: string, uploadId: string): void {
  const uploadDir = join(uploadsDir, uploadId);
  if (/^[0-9a-f]+$/i.test(uploadId) && existsSync(uploadDir)) {
    rmSync(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
    ctx.body = null;
    return;
  }
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.</Message><UploadId>${uploadId.replace(/[^0-9A-Za-z]/g, '')}</UploadId></Error>`;
}

interface KoaContext {
  path: string;
  method: string;
  url: string;
  status: number;
  type: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[] | undefined>;
}
