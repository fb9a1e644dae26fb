import { problems } from '#shared/model/errors';
import { areaLevelOf, ENGLAND, type AreaLevel } from '#shared/model/schemas/common';
import type { Principal } from '#shared/model/access/identity';

/** An area-level figure and where it sits: a local authority's figures carry its region. */
export interface AreaFigure {
  level: AreaLevel;
  area: string;
  region?: string;
}

export interface AreaScope {
  /** The areas to read: the one asked for, or the caller's own when none was asked for (undefined: every area of the level). */
  areas: string[] | undefined;
  /** Keeps what the caller may see of what was read. */
  visible: (figure: AreaFigure) => boolean;
}

const LEVEL_RANK: Record<AreaLevel, number> = { localAuthority: 0, region: 1, england: 2 };

/**
 * What area figures a caller may read (aggregates, exports, completeness): a national user anything; a
 * commissioner its own areas and what lies inside them (the local authorities of its region). Asking for
 * an area outside them is a 403; asking for none means "mine".
 */
export function scopeAreaRequest(principal: Principal | undefined, level: AreaLevel, area: string | undefined, askedIn: 'query' | 'body' = 'query'): AreaScope {
  if (area !== undefined && areaLevelOf(area) !== level) {
    throw problems.validation([{ path: askedIn === 'query' ? 'query.area' : 'area', message: `is not a ${level} code` }]);
  }
  if (principal?.kind !== 'user' || principal.role !== 'commissioner') {
    return { areas: area === undefined ? undefined : [area], visible: () => true };
  }
  const own = principal.areas;
  const covers = (figure: AreaFigure) =>
    own.includes(ENGLAND) || own.includes(figure.area) || (figure.region !== undefined && own.includes(figure.region));
  const broadest = Math.max(...own.map((code) => LEVEL_RANK[areaLevelOf(code) ?? 'localAuthority']));
  if (LEVEL_RANK[level] > broadest) throw problems.forbidden(`Your areas (${own.join(', ')}) do not cover a whole ${level}.`);
  if (area === undefined) return { areas: own.filter((code) => LEVEL_RANK[areaLevelOf(code)!] >= LEVEL_RANK[level]), visible: covers };
  if (own.includes(area) || own.includes(ENGLAND)) return { areas: [area], visible: () => true };
  // A local authority may lie inside the commissioner's region: what is read says which region it is in.
  if (level === 'localAuthority') return { areas: [area], visible: covers };
  throw problems.forbidden(`Area ${area} is outside your areas (${own.join(', ')}).`);
}

/** Keep what the caller may see; if something was found and none of it may be seen, say so. */
export function keepVisible<T extends AreaFigure>(scope: AreaScope, figures: T[], asked: string | undefined): T[] {
  const kept = figures.filter(scope.visible);
  if (asked !== undefined && figures.length > 0 && kept.length === 0) throw problems.forbidden(`Area ${asked} is outside your areas.`);
  return kept;
}

/**
 * Where a vacancy search may look: discharge teams and national users anywhere (England when no area
 * is named), a commissioner its own areas and the authorities inside them.
 */
export function scopeVacancySearch(principal: Principal | undefined, area: string | undefined): { area: string; visible: (figure: AreaFigure) => boolean } {
  if (principal?.kind !== 'user' || principal.role !== 'commissioner') return { area: area ?? ENGLAND, visible: () => true };
  const own = principal.areas;
  if (area === undefined) {
    if (own.length === 1) return { area: own[0]!, visible: () => true };
    throw problems.validation([{ path: 'query.area', message: `choose one of your areas: ${own.join(', ')}` }]);
  }
  const scope = scopeAreaRequest(principal, areaLevelOf(area) ?? 'localAuthority', area);
  return { area, visible: scope.visible };
}
