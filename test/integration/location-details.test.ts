import { describe, expect, test } from 'vitest';
import { putLocations, updateDirectoryFields } from '#shared/repositories/locations';
import { call, newLocation, useGateway } from '../helpers/api';

const gateway = useGateway();
const get = (path: string) => call(gateway.url(), 'GET', path);

/** Where a location is and how to reach it (DESIGN §10.3): stored with it, and given back by the API. */
describe('a location\'s address, postcode, phone and position', () => {
  const details = {
    address: '22 Salutary Mount, Heavitree, Exeter, Devon',
    postcode: 'EX1 2QE',
    phone: '01392491261',
    latitude: 50.721541,
    longitude: -3.508053,
  };

  test('come back from GET /v1/locations/{id} and the area listing exactly as stored', async () => {
    const location = newLocation({ localAuthority: 'E10000908', region: 'E12000006', ...details });
    await putLocations([location]);

    const one = await get(`/v1/locations/${location.locationId}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject(details);

    const listed = await get(`/v1/locations?area=E10000908&limit=100`);
    expect(listed.status).toBe(200);
    expect(listed.json.items.find((item: { locationId: string }) => item.locationId === location.locationId)).toMatchObject(details);
  });

  test('a directory update changes them, and removes those the record no longer has', async () => {
    const location = newLocation(details);
    await putLocations([location]);
    const { phone: _phone, latitude: _latitude, longitude: _longitude, ...withoutPhoneOrPosition } = location;
    await updateDirectoryFields({ ...withoutPhoneOrPosition, address: '24 Salutary Mount, Heavitree, Exeter, Devon' });

    const after = await get(`/v1/locations/${location.locationId}`);
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ address: '24 Salutary Mount, Heavitree, Exeter, Devon', postcode: 'EX1 2QE' });
    expect(after.json).not.toHaveProperty('phone');
    expect(after.json).not.toHaveProperty('latitude');
    expect(after.json).not.toHaveProperty('longitude');
  });

  test('a location without them (entered before they existed) still reads', async () => {
    const location = newLocation();
    await putLocations([location]);
    const plain = await get(`/v1/locations/${location.locationId}`);
    expect(plain.status).toBe(200);
    for (const field of ['address', 'phone', 'latitude', 'longitude']) expect(plain.json).not.toHaveProperty(field);
  });
});
