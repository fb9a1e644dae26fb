import * as z from 'zod';
import { LocalAuthorityCode, RegionCode } from '#shared/model/schemas/common';

/** The levels the areas table holds (`AREA_LEVELS` of shared/repositories/areas.ts); the aggregates' `england` has no rows there. */
export const AREA_LIST_LEVELS = ['localAuthority', 'region', 'district'] as const;

export const AreaListLevel = z.enum(AREA_LIST_LEVELS, { error: 'must be localAuthority, region or district' }).meta({ id: 'AreaListLevel' });

export const AreaListQuery = z.strictObject({
  level: AreaListLevel.optional().describe('without it, local authorities and regions together'),
  parent: z
    .union([RegionCode, LocalAuthorityCode], { error: 'must be an ONS region (E12) or council (E06, E08, E09, E10) code' })
    .optional()
    .describe("only the areas inside it: a region's councils, a county council's districts"),
});
export type AreaListQuery = z.infer<typeof AreaListQuery>;

export const AreaEntry = z
  .object({
    level: AreaListLevel,
    code: z.string(),
    name: z.string(),
    parent: z.string().nullable().describe("a council's region, a district's county council; null for a region"),
  })
  .meta({ id: 'Area' });
export type AreaEntry = z.infer<typeof AreaEntry>;

export const AreaList = z.object({ items: z.array(AreaEntry) }).meta({ id: 'AreaList', description: 'every matching area, sorted by name; not paginated (a few hundred at most)' });
export type AreaList = z.infer<typeof AreaList>;
