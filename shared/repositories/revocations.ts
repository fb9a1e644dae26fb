import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/model/keys';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';
import { UPDATE_LINK_HOURS } from '#shared/model/update-links';

/** Read at first use (settings are never read when a module loads). */
const TABLE = () => tableName('revocations');

/** Was this link withdrawn, with every link of its location issued up to the withdrawal? */
export async function isUpdateLinkRevoked(link: { locationId: string; issuedAt: number }): Promise<boolean> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.revokedLocationLinks(link.locationId), ConsistentRead: true }));
  return typeof Item?.revokedAt === 'number' && link.issuedAt <= Item.revokedAt;
}

/** Withdraw every update link of a location issued up to `now`; later links work again. */
export async function revokeLocationUpdateLinks(locationId: string, now: Date, revokedBy: string): Promise<void> {
  const revokedAt = Math.floor(now.getTime() / 1000);
  await dynamo.send(
    new PutCommand({
      TableName: TABLE(),
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
