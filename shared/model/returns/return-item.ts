import { keys } from '#shared/model/keys';
import type { LocationType } from '#shared/model/schemas/location';
import { StoredReturn } from '#shared/model/schemas/return';

/** What a return item carries about its location, so stream consumers need not read the directory. */
export interface ReturnPlace {
  localAuthority: string;
  region: string;
  name?: string;
  type?: LocationType;
}

/**
 * A return as stored: the API shape plus where its location is (and what it is called), so the
 * aggregator and the vacancy index work from the stream record alone.
 */
export type ReturnItem = StoredReturn & { localAuthority: string; region: string; placeKey: string; locationName?: string; locationType?: LocationType };

export function toReturnItem(stored: StoredReturn, place: ReturnPlace): ReturnItem {
  return {
    ...stored,
    localAuthority: place.localAuthority,
    region: place.region,
    placeKey: keys.returnPlace(place.region, place.localAuthority, stored.locationId),
    ...(place.name ? { locationName: place.name } : {}),
    ...(place.type ? { locationType: place.type } : {}),
  };
}

export function toStoredReturn(item: Record<string, unknown>): StoredReturn {
  const { localAuthority: _localAuthority, region: _region, placeKey: _placeKey, versionKey: _versionKey, locationName: _name, locationType: _type, ...stored } = item;
  return StoredReturn.parse(stored);
}

/** A stream image (or stored item) of a return, with what it says about its location. */
export function returnItemOf(image: Record<string, unknown>): ReturnItem {
  const type = typeof image.locationType === 'string' ? (image.locationType as LocationType) : undefined;
  return toReturnItem(toStoredReturn(image), {
    localAuthority: String(image.localAuthority),
    region: String(image.region),
    ...(typeof image.locationName === 'string' ? { name: image.locationName } : {}),
    ...(type ? { type } : {}),
  });
}

