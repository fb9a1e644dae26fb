import { Transform, pipeline, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { setting } from '#shared/runtime/settings';
import { tracer } from '#shared/runtime/powertools';

/**
 * One S3 client per container, for the exports bucket. S3_ENDPOINT points it at the local S3-compatible
 * server (scripts/local/s3-local.ts; path-style addressing, as a loopback address has no bucket
 * subdomains); in AWS it is unset and the SDK uses the regional endpoint. The same client signs the
 * download links, so a link made locally is checked by the local server as S3 checks one.
 */
const endpoint = process.env.S3_ENDPOINT;
const client = tracer.captureAWSv3Client(new S3Client({ ...(endpoint ? { endpoint, forcePathStyle: true } : {}), maxAttempts: 3 }));

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
    client,
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

/**
 * A time-limited link to download `key` (a SigV4-presigned GET; no credentials needed to use it) that
 * saves as `filename`. The name is reduced to letters, digits, spaces and `.`, `_`, `-` (anything else
 * becomes `_`): it goes in a quoted Content-Disposition parameter, where a quote, a backslash or a control
 * character would break the header, and the local S3 server miscomputes the signature of a query value
 * holding any of !'()* (it encodes query values with encodeURIComponent, not RFC 3986 as SigV4 does).
 */
export async function presignDownload(key: string, filename: string, expiresInSeconds: number): Promise<string> {
  const safeName = filename.replace(/[^A-Za-z0-9._ -]/g, '_');
  return getSignedUrl(
    client,
    new GetObjectCommand({ Bucket: setting('EXPORTS_BUCKET'), Key: key, ResponseContentDisposition: `attachment; filename="${safeName}"` }),
    { expiresIn: expiresInSeconds },
  );
}

/** The size in bytes of the object at `key`, or undefined when there is none. */
export async function objectSize(key: string): Promise<number | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: setting('EXPORTS_BUCKET'), Key: key }));
    return head.ContentLength ?? 0;
  } catch (error) {
    if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return undefined;
    throw error;
  }
}
