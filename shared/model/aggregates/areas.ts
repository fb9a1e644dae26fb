import { ENGLAND, type AreaLevel } from '#shared/model/schemas/common';

export interface Place {
  localAuthority: string;
  region: string;
}

export interface AreaRef {
  level: AreaLevel;
  area: string;
}

/** The three aggregates a location's return counts towards. */
export function areasOf(place: Place): AreaRef[] {
  return [
    { level: 'localAuthority', area: place.localAuthority },
    { level: 'region', area: place.region },
    { level: 'england', area: ENGLAND },
  ];
}

export const areaKeyOf = (ref: AreaRef) => `${ref.level}#${ref.area}`;
