import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalS3, type LocalS3 } from '#scripts/local/s3-local';

/**
 * The exports bucket's code (shared/runtime/s3.ts, s3-upload.ts) against the local S3 server (scripts/local/s3-local.ts,
 * @20minutes/s3rver), a server of this file's own so its requests can be counted. What s3rver checks,
 * read in its source (lib/middleware/authentication.js, lib/signature/v4.js) and shown below: the access
 * key, the SigV4 signature of the Authorization header or of a presigned URL's query string, a presigned
 * URL's expiry (X-Amz-Date + X-Amz-Expires, at most a week), and the clock skew of a header-signed
 * request. It does not check a streamed body's chunk signatures, and it lets an unsigned request through
 * as anonymous, which s3-local.ts refuses in front of it (403), as the private bucket does in AWS.
 */
const BUCKET = `local-s3-test-${randomUUID().slice(0, 8)}`;
const MiB = 1024 * 1024;

let server: LocalS3;
let s3: typeof import('#shared/runtime/s3') & typeof import('#shared/runtime/s3-upload');
const requests: Array<{ method: string; url: string; status: number }> = [];
const saved = { S3_ENDPOINT: process.env.S3_ENDPOINT, EXPORTS_BUCKET: process.env.EXPORTS_BUCKET };

beforeAll(async () => {
  server = await startLocalS3({ buckets: [BUCKET], onRequest: (request) => requests.push(request) });
  // The module makes its client when it loads, from S3_ENDPOINT, as a handler's does.
  process.env.S3_ENDPOINT = server.endpoint;
  process.env.EXPORTS_BUCKET = BUCKET;
  s3 = { ...(await import('#shared/runtime/s3')), ...(await import('#shared/runtime/s3-upload')) };
});
afterAll(async () => {
  await server?.stop();
  Object.assign(process.env, saved);
});

/** `count` rows of CSV, ~100 bytes each, made as they are read; `fail` throws once that many bytes have gone. */
function rows(count: number, fail?: { afterBytes: number }): { stream: Readable; digest: () => { bytes: number; sha256: string } } {
  const hash = createHash('sha256');
  let bytes = 0;
  function* generate() {
    for (let i = 0; i < count; i += 1) {
      if (fail && bytes >= fail.afterBytes) throw new Error('the rows ran dry');
      const line = Buffer.from(`1-${String(100_000_000 + i)},2026-11-${String((i % 28) + 1).padStart(2, '0')},Test House ${i},${i % 60},${(i * 7) % 13},${'x'.repeat(48)}\n`);
      hash.update(line);
      bytes += line.length;
      yield line;
    }
  }
  return { stream: Readable.from(generate(), { objectMode: false }), digest: () => ({ bytes, sha256: hash.digest('hex') }) };
}

const since = (mark: number) => requests.slice(mark);
const key = (name: string) => `exports/${randomUUID()}/${name}`;

describe('putStream and presignDownload against the local S3 server', () => {
  test('a stream of more than 10 MB becomes a multipart object, downloaded whole by a presigned link with its filename', async () => {
    const objectKey = key('returns.csv');
    const { stream, digest } = rows(120_000);
    const mark = requests.length;

    const { bytes } = await s3.putStream(objectKey, stream, { contentType: 'text/csv; charset=utf-8' });

    const written = digest();
    expect(written.bytes).toBeGreaterThan(10 * MiB);
    expect(bytes).toBe(written.bytes);
    // CreateMultipartUpload, two 8 MiB-or-less parts, CompleteMultipartUpload; no single PutObject.
    const calls = since(mark);
    expect(calls.filter((call) => call.method === 'POST' && /[?&]uploads(=|&|$)/.test(call.url))).toHaveLength(1);
    expect(calls.filter((call) => call.method === 'PUT' && /[?&]partNumber=\d+/.test(call.url)).map((call) => call.status)).toEqual([200, 200]);
    expect(calls.filter((call) => call.method === 'POST' && /[?&]uploadId=/.test(call.url)).map((call) => call.status)).toEqual([200]);
    expect(calls.filter((call) => call.method === 'PUT' && !call.url.includes('partNumber'))).toHaveLength(0);
    expect(await s3.objectSize(objectKey)).toBe(written.bytes);

    const link = await s3.presignDownload(objectKey, 'returns 2026-11.csv', 300);
    expect(link.startsWith(`${server.endpoint}/${BUCKET}/`)).toBe(true);
    expect(link).toContain('X-Amz-Signature=');
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="returns 2026-11.csv"');
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(written.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(written.sha256);
  });

  test('a small body is one PutObject; its Content-Encoding is kept and served', async () => {
    const objectKey = key('aggregates.csv.gz');
    const text = 'areaCode,reportDate,vacancies\nE08000004,2026-11-01,12\n';
    const mark = requests.length;

    const { bytes } = await s3.putStream(objectKey, Readable.from([gzipSync(text)]), { contentType: 'text/csv', contentEncoding: 'gzip' });

    expect(bytes).toBe(gzipSync(text).length);
    expect(since(mark).map((call) => call.method)).toEqual(['PUT']);
    const response = await fetch(await s3.presignDownload(objectKey, 'aggregates.csv', 60));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe(text); // fetch undoes the gzip, as a browser does
  });

  test('a body that fails part-way aborts the multipart upload: the error is thrown and nothing is left', async () => {
    const objectKey = key('broken.csv');
    const { stream } = rows(200_000, { afterBytes: 9 * MiB });
    const mark = requests.length;

    await expect(s3.putStream(objectKey, stream, { contentType: 'text/csv' })).rejects.toThrow('the rows ran dry');

    const calls = since(mark);
    expect(calls.some((call) => call.method === 'POST' && /[?&]uploads(=|&|$)/.test(call.url))).toBe(true);
    expect(calls.filter((call) => call.method === 'DELETE' && /[?&]uploadId=/.test(call.url)).map((call) => call.status)).toEqual([204]);
    expect(calls.some((call) => call.method === 'POST' && /[?&]uploadId=/.test(call.url))).toBe(false);
    expect(await s3.objectSize(objectKey)).toBeUndefined();
  });

  test('objectSize of a key with no object is undefined', async () => {
    expect(await s3.objectSize(key('never-written.csv'))).toBeUndefined();
  });

  test('the filename is reduced to safe characters, and the link still works', async () => {
    const objectKey = key('odd.csv');
    await s3.putStream(objectKey, Readable.from([Buffer.from('a,b\n')]), { contentType: 'text/csv' });
    const response = await fetch(await s3.presignDownload(objectKey, 'a "quoted" (name)\r\n\\é.csv', 60));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="a _quoted_ _name_____.csv"');
  });
});

describe('the local S3 server refuses links S3 would refuse', () => {
  let objectKey: string;
  let link: string;
  beforeAll(async () => {
    objectKey = key('guarded.csv');
    await s3.putStream(objectKey, Readable.from([Buffer.from('secret,rows\n')]), { contentType: 'text/csv' });
    link = await s3.presignDownload(objectKey, 'guarded.csv', 300);
    expect((await fetch(link)).status).toBe(200);
  });

  async function refused(url: string): Promise<{ status: number; code: string | undefined; message: string | undefined }> {
    const response = await fetch(url);
    const xml = await response.text();
    return { status: response.status, code: /<Code>([^<]+)<\/Code>/.exec(xml)?.[1], message: /<Message>([^<]+)<\/Message>/.exec(xml)?.[1] };
  }

  test('a tampered signature', async () => {
    const tampered = link.replace(/X-Amz-Signature=([0-9a-f])/, (_, first: string) => `X-Amz-Signature=${first === '0' ? '1' : '0'}`);
    expect(tampered).not.toBe(link);
    expect(await refused(tampered)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  test('the signature of one object used for another', async () => {
    const other = key('other.csv');
    await s3.putStream(other, Readable.from([Buffer.from('other\n')]), { contentType: 'text/csv' });
    expect(await refused(link.replace(objectKey, other))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  test('a longer expiry or another filename written into the link', async () => {
    expect(await refused(link.replace('X-Amz-Expires=300', 'X-Amz-Expires=600000'))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await refused(link.replace('guarded.csv%22', 'other.csv%22'))).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  test('an expired link', async () => {
    // Signed two minutes ago for one minute: expired a minute ago (no waiting).
    const client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true });
    const expired = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: objectKey }), { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    client.destroy();
    expect(await refused(expired)).toMatchObject({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
  });

  test('a link signed with a key the server does not know', async () => {
    const client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'someone-else', secretAccessKey: 'guess' } });
    const stranger = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: objectKey }), { expiresIn: 60 });
    client.destroy();
    expect(await refused(stranger)).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  test('no signature at all (s3rver would serve it; s3-local.ts refuses it as the private bucket does)', async () => {
    expect(await refused(link.split('?')[0]!)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});
