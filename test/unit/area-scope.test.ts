import { describe, expect, test } from 'vitest';
import { keepVisible, scopeAreaRequest } from '#shared/model/access/area-scope';
import type { Principal } from '#shared/model/access/identity';
import { ProblemError } from '#shared/model/errors';

const national: Principal = { kind: 'user', userId: 'n', role: 'national', areas: [] };
const northWest: Principal = { kind: 'user', userId: 'c', role: 'commissioner', areas: ['E12000002'] };
const oldham: Principal = { kind: 'user', userId: 'c', role: 'commissioner', areas: ['E08000004'] };

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as ProblemError).status;
  }
  return 200;
};

describe('scopeAreaRequest', () => {
  test('national users read any area, or every area of a level', () => {
    expect(scopeAreaRequest(national, 'region', undefined).areas).toBeUndefined();
    expect(scopeAreaRequest(national, 'region', 'E12000009').areas).toEqual(['E12000009']);
    expect(scopeAreaRequest(national, 'england', 'E92000001').areas).toEqual(['E92000001']);
  });

  test('an area of the wrong level is a 400 naming query.area', () => {
    let problem: ProblemError | undefined;
    try {
      scopeAreaRequest(national, 'region', 'E08000004');
    } catch (error) {
      problem = error as ProblemError;
    }
    expect(problem?.status).toBe(400);
    expect(problem?.errors?.[0]?.path).toBe('query.area');
  });

  test('a regional commissioner: its region, the authorities inside it, nothing broader or elsewhere', () => {
    expect(scopeAreaRequest(northWest, 'region', 'E12000002').areas).toEqual(['E12000002']);
    expect(status(() => scopeAreaRequest(northWest, 'region', 'E12000009'))).toBe(403);
    expect(status(() => scopeAreaRequest(northWest, 'england', undefined))).toBe(403);
    const authorities = scopeAreaRequest(northWest, 'localAuthority', undefined);
    expect(authorities.areas).toEqual(['E12000002']);
    expect(authorities.visible({ level: 'localAuthority', area: 'E08000004', region: 'E12000002' })).toBe(true);
    expect(authorities.visible({ level: 'localAuthority', area: 'E06000027', region: 'E12000009' })).toBe(false);
  });

  test('an authority asked for by a regional commissioner is kept only if it lies in the region', () => {
    const scope = scopeAreaRequest(northWest, 'localAuthority', 'E06000027');
    expect(status(() => keepVisible(scope, [{ level: 'localAuthority', area: 'E06000027', region: 'E12000009' }], 'E06000027'))).toBe(403);
    expect(keepVisible(scope, [], 'E06000027')).toEqual([]);
    const inside = scopeAreaRequest(northWest, 'localAuthority', 'E08000004');
    expect(keepVisible(inside, [{ level: 'localAuthority', area: 'E08000004', region: 'E12000002' }], 'E08000004')).toHaveLength(1);
  });

  test('an authority commissioner cannot read its region', () => {
    expect(status(() => scopeAreaRequest(oldham, 'region', 'E12000002'))).toBe(403);
    expect(scopeAreaRequest(oldham, 'localAuthority', undefined).areas).toEqual(['E08000004']);
  });
});
