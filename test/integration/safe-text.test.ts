import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { toCsv } from '#shared/http/csv';
import { BULK_COLUMNS, flattenReturn } from '#shared/model/returns/bulk';
import { dynamo } from '#shared/runtime/dynamodb';
import { call, createLocation, designExample, returnPath, today, useGateway } from '../helpers/api';

/**
 * Free text that could deceive a reader of an export or a page (a right-to-left override, a control
 * character, half of a surrogate pair) is refused at the edge with a 400 naming the field, and nothing is
 * written (`SafeText`, shared/model/schemas/common.ts).
 */
const gateway = useGateway();
const RLO = '\u202E';

async function storedReturns(locationId: string) {
  const query = (table: string | undefined) =>
    dynamo.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'locationId = :id', ExpressionAttributeValues: { ':id': locationId } }));
  const [returns, versions] = await Promise.all([query(process.env.RETURNS_TABLE), query(process.env.RETURN_VERSIONS_TABLE)]);
  return [...(returns.Items ?? []), ...(versions.Items ?? [])];
}

describe('text that can deceive is a 400 naming the field, and nothing is written', () => {
  test('a PUT whose notes hold U+202E', async () => {
    const location = await createLocation();
    const response = await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: { ...designExample(), notes: `Invoice ${RLO}fdp.exe` } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json.errors).toEqual([{ path: 'notes', message: 'must not contain a bidirectional control character: U+202E at character 9' }]);
    expect(await storedReturns(location.locationId)).toEqual([]);
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json).toMatchObject({ lastUpdated: null, latestReturn: null });
  });

  test('a PUT whose notes hold NUL, or an unpaired surrogate (sent as a JSON escape: UTF-8 cannot carry one)', async () => {
    const location = await createLocation();
    const path = returnPath(location.locationId, today());
    const nul = await call(gateway.url(), 'PUT', path, { body: { ...designExample(), notes: 'a\u0000b' } });
    expect(nul.status).toBe(400);
    expect(nul.json.errors).toEqual([{ path: 'notes', message: expect.stringContaining('U+0000') }]);
    const rawBody = JSON.stringify({ ...designExample(), notes: 'SURROGATE' }).replace('SURROGATE', 'half \\ud83d of a pair');
    const surrogate = await call(gateway.url(), 'PUT', path, { rawBody, headers: { 'content-type': 'application/json' } });
    expect(surrogate.status).toBe(400);
    expect(surrogate.json.errors).toEqual([{ path: 'notes', message: expect.stringContaining('unpaired surrogate: U+D83D') }]);
    expect(await storedReturns(location.locationId)).toEqual([]);
  });

  test('ordinary Welsh, accents and emoji in notes are stored as sent', async () => {
    const location = await createLocation();
    const notes = 'Ar gau i dderbyniadau tan ddydd Llun — café, ŵyr 👩‍⚕️\r\nsecond line';
    const response = await call(gateway.url(), 'PUT', returnPath(location.locationId, today()), { body: { ...designExample(), notes } });
    expect(response.status).toBe(201);
    expect(response.json.notes).toBe(notes);
  });

  test('a bulk CSV whose notes cell holds U+202E names the row, and writes no row', async () => {
    const [first, second] = await Promise.all([createLocation(), createLocation()]);
    const csv = toCsv(BULK_COLUMNS, [
      flattenReturn({ locationId: first.locationId, reportDate: today() }, designExample()),
      flattenReturn({ locationId: second.locationId, reportDate: today() }, { ...designExample(), notes: `ok ${RLO}` }),
    ]);
    const response = await call(gateway.url(), 'POST', '/v1/returns/bulk', { rawBody: csv, headers: { 'content-type': 'text/csv; charset=utf-8' } });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ path: 'rows[1].notes', message: expect.stringContaining('U+202E') }]);
    expect(await storedReturns(first.locationId)).toEqual([]);
    expect(await storedReturns(second.locationId)).toEqual([]);
  });

  test('a pause reason holding U+202E', async () => {
    const location = await createLocation();
    const response = await call(gateway.url(), 'POST', `/v1/locations/${location.locationId}/pause`, { body: { reason: `closed ${RLO}for works` } });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([{ path: 'reason', message: expect.stringContaining('U+202E') }]);
    expect((await call(gateway.url(), 'GET', `/v1/locations/${location.locationId}`)).json.pause).toBeUndefined();
  });
});
