import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { setting } from '#shared/runtime/settings';
import { tracer } from '#shared/runtime/powertools';

/**
 * One S3 client per container, for the exports bucket. S3_ENDPOINT points it at the local S3-compatible
 * server (scripts/local/s3-local.ts; path-style addressing, as a loopback address has no bucket
 * subdomains); in AWS it is unset and the SDK uses the regional endpoint. The same client signs the
 * download links, so a link made locally is checked by the local server as S3 checks one.
 *
 * The multipart upload is `shared/runtime/s3-upload.ts`: `@aws-sdk/lib-storage` declares no
 * `sideEffects: false`, so importing it here would put it in the bundle of every function that only
 * presigns a link (GET /v1/exports/{id}).
 */
const endpoint = process.env.S3_ENDPOINT;
export const s3Client = tracer.captureAWSv3Client(new S3Client({ ...(endpoint ? { endpoint, forcePathStyle: true } : {}), maxAttempts: 3 }));

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
    s3Client,
    new GetObjectCommand({ Bucket: setting('EXPORTS_BUCKET'), Key: key, ResponseContentDisposition: `attachment; filename="${safeName}"` }),
    { expiresIn: expiresInSeconds },
  );
}

/** The size in bytes of the object at `key`, or undefined when there is none. */
export async function objectSize(key: string): Promise<number | undefined> {
  try {
    const head = await s3Client.send(new HeadObjectCommand({ Bucket: setting('EXPORTS_BUCKET'), Key: key }));
    return head.ContentLength ?? 0;
  } catch (error) {
    if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return undefined;
    throw error;
  }
}
