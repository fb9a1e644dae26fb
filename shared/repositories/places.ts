import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PostcodeDistrict } from '#shared/model/directory/postcodes';
import { keys } from '#shared/model/keys';
import { batchPut } from '#shared/repositories/batch-write';
import { dynamo } from '#shared/runtime/dynamodb';
import { tableName } from '#shared/runtime/settings';

const TABLE = () => tableName('places');

/** Upsert postcode districts (`npm run import:places`, the local seed). */
export async function putPostcodeDistricts(districts: readonly PostcodeDistrict[]): Promise<void> {
  await batchPut(TABLE(), districts.map((district) => ({ ...district, ...keys.postcodeDistrict(district.code) })));
}

const toDistrict = (item: Record<string, unknown>): PostcodeDistrict => ({
  code: String(item.code),
  latitude: Number(item.latitude),
  longitude: Number(item.longitude),
  ...(item.town ? { town: String(item.town) } : {}),
  ...(item.area ? { area: String(item.area) } : {}),
});

/** Districts hardly ever change: one read per district per container (an unknown one is asked again: the table may be filled since). */
const known = new Map<string, PostcodeDistrict>();

/** Named access pattern "a postcode district's centre". */
export async function getPostcodeDistrict(code: string): Promise<PostcodeDistrict | undefined> {
  const cached = known.get(code);
  if (cached) return cached;
  const { Item } = await dynamo.send(new GetCommand({ TableName: TABLE(), Key: keys.postcodeDistrict(code) }));
  if (!Item) return undefined;
  const found = toDistrict(Item);
  known.set(code, found);
  return found;
}

/** Every postcode district (about 2,900; a few pages). */
export async function listPostcodeDistricts(): Promise<PostcodeDistrict[]> {
  const districts: PostcodeDistrict[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({ TableName: TABLE(), KeyConditionExpression: 'kind = :kind', ExpressionAttributeValues: { ':kind': 'postcodeDistrict' }, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    districts.push(...(page.Items ?? []).map(toDistrict));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return districts;
}
