import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../keys';
import { dynamo } from '../runtime/dynamodb';
import { tableName } from '../runtime/config';
import { UPDATE_LINK_HOURS } from '../auth/update-links';

const TABLE = tableName('revocations');

/** Is this link withdrawn, on its own or with every link of its location issued before the withdrawal? */
export async function isUpdateLinkRevoked(link: { tokenId: string; locationId: string; issuedAt: number }): Promise<boolean> {
  const tokenKey = keys.revokedToken(link.tokenId);
  const locationKey = keys.revokedLocationLinks(link.locationId);
  const result = await dynamo.send(
    new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [tokenKey, locationKey], ConsistentRead: true } } }),
  );
  const items = result.Responses?.[TABLE] ?? [];
  return items.some(
    (item) => item.revocationKey === tokenKey.revocationKey || (typeof item.revokedAt === 'number' && link.issuedAt <= item.revokedAt),
  );
}

/** Withdraw every update link of a location issued up to `now`; later links work again. */
export async function revokeLocationUpdateLinks(locationId: string, now: Date, revokedBy: string): Promise<void> {
  const revokedAt = Math.floor(now.getTime() / 1000);
  await dynamo.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        ...keys.revokedLocationLinks(locationId),
        revokedAt,
        revokedBy,
        // Once every link it covers has expired, the record has nothing left to do.
        expiresAt: revokedAt + UPDATE_LINK_HOURS * 3600 + 3600,
      },
    }),
  );
}

export async function revokeUpdateLink(tokenId: string, expiresAt: number, revokedBy: string): Promise<void> {
  await dynamo.send(
    new PutCommand({
      TableName: TABLE,
      Item: { ...keys.revokedToken(tokenId), revokedAt: Math.floor(Date.now() / 1000), revokedBy, expiresAt: expiresAt + 3600 },
    }),
  );
}
