import { gzipSync } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problems } from '#shared/model/errors';
import { LAMBDA_RESPONSE_LIMIT_BYTES } from '#shared/http/response';
import { csvOptions, neutraliseCell } from '#shared/model/csv';

export { csvOptions, neutraliseCell };

/** What a response body may be within Lambda's response limit: the margin covers headers and envelope. */
export const RESPONSE_BODY_LIMIT_BYTES = LAMBDA_RESPONSE_LIMIT_BYTES - 64 * 1024;

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify(rows.map((row) => row.map(neutraliseCell)), csvOptions(header));
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Does the client take gzip? (`gzip;q=0` says no.) */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [coding, ...parameters] = part.trim().toLowerCase().split(';').map((piece) => piece.trim());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * A CSV download. Compressed when the client accepts it: Lambda answers API Gateway with at most 6 MB,
 * and a national export is mostly repeated digits and commas (a year of every authority is 11.5 MB plain,
 * 2.5 MB gzipped). Too big to send plain, the client is told to ask for it compressed, instead of the
 * bare 500 API Gateway would give; too big even compressed, to ask for less.
 */
export function csvResponse(filename: string, csv: string, acceptEncoding: string | undefined): APIGatewayProxyStructuredResultV2 {
  const headers = {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (acceptsGzip(acceptEncoding)) {
    const body = gzipSync(csv).toString('base64');
    if (body.length > RESPONSE_BODY_LIMIT_BYTES) {
      throw problems.exportTooLarge(`This export is ${megabytes(body.length)} even compressed, more than a response can carry; ask for a shorter range.`);
    }
    return { statusCode: 200, headers: { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding' }, body, isBase64Encoded: true };
  }
  const size = Buffer.byteLength(csv, 'utf8');
  if (size > RESPONSE_BODY_LIMIT_BYTES) {
    throw problems.notAcceptable(
      `This export is ${megabytes(size)}, more than a response can carry uncompressed; ask for it compressed (Accept-Encoding: gzip, as browsers do; curl --compressed).`,
    );
  }
  return { statusCode: 200, headers, body: csv };
}
