/**
 * Places people type when they search near somewhere (DESIGN §10.3, the "Find a bed" page): a postcode
 * district (`EX1`), or a town or area name (`Exeter`, `Torbay`), matched to the postcode districts.
 */
import type { PostcodeDistrict } from '#shared/model/directory/postcodes';
import { listPostcodeDistricts } from '#shared/repositories/places';
import { containerCache } from '#shared/runtime/container-cache';

/** The districts change hardly ever: read once an hour per container (a few thousand, a few pages). */
const districts = containerCache(3_600_000, () => listPostcodeDistricts());
const allDistricts = (now: number) => districts(undefined, now);

const fold = (text: string) => text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/**
 * Districts whose code, town or area matches `name`: a whole-word match of the town first (Exeter's
 * districts before Exeter Road's), then of the area, then those that only start with it; by code within each.
 */
export async function findPlaces(name: string, limit: number, now: Date): Promise<{ items: PostcodeDistrict[] }> {
  const wanted = fold(name);
  if (wanted === '') return { items: [] };
  const rank = (district: PostcodeDistrict): number => {
    const code = district.code.toLowerCase();
    const town = fold(district.town ?? '');
    const area = fold(district.area ?? '');
    if (code === wanted.replace(/ /g, '')) return 0;
    if (town === wanted) return 1;
    if (area === wanted) return 2;
    if (town.startsWith(wanted) || ` ${town}`.includes(` ${wanted}`)) return 3;
    if (area.startsWith(wanted) || ` ${area}`.includes(` ${wanted}`)) return 4;
    if (code.startsWith(wanted.replace(/ /g, ''))) return 5;
    return -1;
  };
  const matched = (await allDistricts(now.getTime()))
    .map((district) => ({ district, rank: rank(district) }))
    .filter(({ rank: value }) => value >= 0)
    .sort((a, b) => a.rank - b.rank || a.district.code.localeCompare(b.district.code, 'en-GB', { numeric: true }));
  return { items: matched.slice(0, limit).map(({ district }) => district) };
}
