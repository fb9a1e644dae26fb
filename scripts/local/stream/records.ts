import type { AttributeValue as StreamAttributeValue, _Record as StreamSdkRecord } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';

type Image = Record<string, LambdaAttributeValue>;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * SDK v3 hands binary values over as Uint8Array; Lambda's JSON event carries them as base64 strings, and a
 * handler that unmarshalls the event (util-dynamodb, Powertools) expects that.
 */
export function toLambdaAttributeValue(value: StreamAttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new Error(`unknown attribute value type in stream record: ${JSON.stringify(value)}`);
}

function toLambdaImage(image: Record<string, StreamAttributeValue>): Image {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]));
}

/**
 * One stream record as Lambda's event source mapping delivers it. DynamoDB Local reports its region as
 * "ddblocal"; Lambda reports the table's region, so the poller's region stands in for it. The time is
 * epoch seconds (Lambda's JSON) rather than the SDK's Date.
 */
export function toLambdaRecord(record: StreamSdkRecord, streamArn: string, region: string): DynamoDBRecord {
  const stream = record.dynamodb;
  if (!stream?.SequenceNumber) throw new Error(`stream record ${record.eventID ?? '?'} has no sequence number`);
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: !record.awsRegion || record.awsRegion === 'ddblocal' ? region : record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      ...(stream.Keys ? { Keys: toLambdaImage(stream.Keys) } : {}),
      ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
      SequenceNumber: stream.SequenceNumber,
      ...(stream.SizeBytes !== undefined ? { SizeBytes: stream.SizeBytes } : {}),
      ...(stream.StreamViewType ? { StreamViewType: stream.StreamViewType } : {}),
    },
    // Present only on TTL deletions, which a handler may want to tell apart from user deletes.
    ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
  };
}

export function sequenceNumberOf(record: DynamoDBRecord): string {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (!sequenceNumber) throw new Error('record without a sequence number');
  return sequenceNumber;
}

/** Sequence numbers are decimal strings; DynamoDB Local pads them, AWS does not promise to. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A returns-table stream record made up rather than read from a stream (the aggregator's bench and tests
 * feed batches of their own): as Lambda delivers one, INSERT or, with the version it replaces, MODIFY.
 */
export function returnStreamRecord(item: Record<string, unknown> & { locationId: string; reportDate: string }, previous: Record<string, unknown> | undefined, options: { sequence: number; table: string; region?: string }): DynamoDBRecord {
  const newImage = marshall(item, { removeUndefinedValues: true }) as Image;
  return {
    eventID: String(options.sequence),
    eventName: previous ? 'MODIFY' : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: options.region ?? 'eu-west-2',
    eventSourceARN: `arn:aws:dynamodb:${options.region ?? 'eu-west-2'}:000000000000:table/${options.table}/stream/2026-01-01T00:00:00.000`,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: marshall({ locationId: item.locationId, reportDate: item.reportDate }) as Image,
      NewImage: newImage,
      ...(previous ? { OldImage: marshall(previous, { removeUndefinedValues: true }) as Image } : {}),
      SequenceNumber: String(options.sequence).padStart(21, '0'),
      SizeBytes: JSON.stringify(newImage).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
