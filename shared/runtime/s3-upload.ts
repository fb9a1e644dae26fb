/**
 * Writing export files into the exports bucket (the export worker), through the one S3 client of
 * `shared/runtime/s3.ts`. A module of its own so that `@aws-sdk/lib-storage`, which esbuild cannot drop
 * when unused (its package declares no `sideEffects: false`), is bundled only where files are written.
 */
import { Transform, pipeline, type Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Client } from '#shared/runtime/s3';
import { setting } from '#shared/runtime/settings';

/** Parts of the multipart upload: S3's minimum is 5 MiB; two in flight keep the memory flat (~16 MiB). */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;

/**
 * Streams `body` into the exports bucket at `key`: a multipart upload (a single PutObject when the whole
 * body fits in one part), read as it is sent, so the memory used does not grow with the size. Resolves
 * with the bytes stored. On any failure, the body's or S3's, the multipart upload is aborted (no parts
 * are left behind to be billed) and the error is thrown.
 */
export async function putStream(key: string, body: Readable, options: { contentType: string; contentEncoding?: string }): Promise<{ bytes: number }> {
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  // An error in the body destroys `counted` with it, which fails the upload.
  pipeline(body, counted, () => undefined);
  const upload = new Upload({
    client: s3Client,
    params: {
      Bucket: setting('EXPORTS_BUCKET'),
      Key: key,
      Body: counted,
      ContentType: options.contentType,
      ...(options.contentEncoding ? { ContentEncoding: options.contentEncoding } : {}),
    },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  try {
    await upload.done();
  } catch (error) {
    // S3 failed: stop reading the body (and whatever produces it).
    counted.destroy();
    body.destroy();
    throw error;
  }
  return { bytes };
}
