import { EXPORT_OBJECT_PREFIX, EXPORT_RETENTION_DAYS } from '#shared/model/schemas/exports';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * Where export files live in the bucket: the worker writes, and the exports route presigns, only keys
 * under it (the functions' grants are on `<bucket>/exports/*`, and the lifecycle rule expires it).
 */
export const EXPORTS_KEY_PREFIX = EXPORT_OBJECT_PREFIX;

/** How long an export file is kept: as long as its job in the `exports` table (TTL `expiresAtEpoch`). */
export const EXPORT_FILE_DAYS = EXPORT_RETENTION_DAYS;

/** A multipart upload that a crashed or timed-out run left open is given up after this long (its parts cost storage). */
export const ABORT_MULTIPART_DAYS = 1;

export interface ExportFilesProps {
  /** The stage's choice for stateful resources: RETAIN in prod, DESTROY (emptied first) in dev. */
  removalPolicy: RemovalPolicy;
  /** Where S3 logs each request to the bucket (the site's access-log bucket, kept 90 days). */
  accessLogs: IBucket;
}

/**
 * The files of export jobs (`POST /v1/exports`): a private bucket, encrypted, TLS 1.2+ only, that nobody
 * can make public, owned by the account alone (no ACLs), whose files go after 7 days. Every request to it
 * is logged: a presigned link works for whoever holds it until it expires, so the access log is the one
 * record that it was used, when and from where.
 *
 * No CORS: a download is a navigation to the presigned link, never a script's request.
 */
export class ExportFiles extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ExportFilesProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // SSE-S3, not KMS: a presigned GET is made with the exports route's own credentials, which would
      // then need kms:Decrypt as well; the files hold what the API serves to the same callers anyway.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [
        {
          id: 'ExpireExports',
          prefix: EXPORTS_KEY_PREFIX,
          expiration: Duration.days(EXPORT_FILE_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(ABORT_MULTIPART_DAYS),
        },
      ],
      removalPolicy: props.removalPolicy,
      // Files are made again by asking again: a dev stack may take them with it.
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
  }
}
