import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { stringify } from 'csv-stringify';
import type { AreaScope } from '#shared/model/access/area-scope';
import { csvOptions, neutraliseCell } from '#shared/model/csv';
import { EXPORT_OBJECT_PREFIX, type ExportRequest } from '#shared/model/schemas/exports';
import { putStream } from '#shared/runtime/s3-upload';
import type { ExportKind } from '#shared/services/exports/kinds';

/** How often a running job tells the page how far it has got. */
export const PROGRESS_EVERY_ROWS = 20_000;

/** Rows are formatted one at a time; gzip and the upload take them in chunks of this size (npm run bench, section jobs). */
const CHUNK_BYTES = 64 * 1024;

/** Joins small writes into chunks of at least `size` bytes: gzip costs per write, not per byte. */
export function chunksOf(size: number): Transform {
  let held: Buffer[] = [];
  let heldBytes = 0;
  const release = () => {
    const chunk = Buffer.concat(held, heldBytes);
    held = [];
    heldBytes = 0;
    return chunk;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      held.push(chunk);
      heldBytes += chunk.length;
      done(null, heldBytes >= size ? release() : undefined);
    },
    flush(done) {
      done(null, heldBytes > 0 ? release() : undefined);
    },
  });
}

export interface ExportFile {
  key: string;
  filename: string;
  contentType: string;
}

export function exportFileOf(exportId: string, request: Required<Omit<ExportRequest, 'area'>> & { area?: string }): ExportFile {
  const gzip = request.compression === 'gzip';
  const filename = `${request.kind}-${request.area ?? request.level}-${request.from}-to-${request.to}.${request.format}${gzip ? '.gz' : ''}`;
  const contentType = gzip ? 'application/gzip' : request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8';
  return { key: `${EXPORT_OBJECT_PREFIX}${exportId}/${filename}`, filename, contentType };
}

/**
 * Streams an export's rows into its object: rows are made a page at a time by the kind, turned into CSV
 * (RFC 4180, formula cells neutralised) or JSON Lines, gzipped if asked, and uploaded in parts, each
 * stage waiting for the next (backpressure), so memory stays flat whatever the size.
 */
export async function writeExportFile<Row>(
  kind: ExportKind<Row>,
  scope: AreaScope,
  request: Required<Omit<ExportRequest, 'area'>> & { area?: string },
  file: ExportFile,
  onProgress: (rows: number) => Promise<void>,
): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  const records = async function* () {
    for await (const row of kind.rows(scope, request)) {
      rows += 1;
      if (rows % PROGRESS_EVERY_ROWS === 0) await onProgress(rows);
      yield request.format === 'csv' ? kind.csv(row).map(neutraliseCell) : `${JSON.stringify(kind.json(row))}\n`;
    }
  };
  const format = request.format === 'csv' ? stringify(csvOptions(kind.header)) : new PassThrough({ writableObjectMode: true });
  const stages: Array<Transform | PassThrough> = [format, chunksOf(CHUNK_BYTES), ...(request.compression === 'gzip' ? [createGzip()] : [])];
  const body = new PassThrough();
  const piping = pipeline([Readable.from(records()), ...stages, body]);
  const upload = putStream(file.key, body, { contentType: file.contentType }).catch((error: unknown) => {
    // The upload gave up: stop making rows for it.
    body.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  const [, uploaded] = await Promise.all([piping, upload]);
  return { rows, bytes: uploaded.bytes };
}
