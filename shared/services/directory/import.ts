import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getLocations, putLocations, updateDirectoryFields } from '#shared/repositories/locations';
import type { DirectoryEntry } from '#shared/model/schemas/location';
import { changedFields, mapCqcLocation, type CqcLocation } from '#shared/model/directory/cqc';
import { lookupsFromAreas, normaliseName, onsAreas, readOnsFiles, type OnsLookups } from '#shared/model/directory/ons';
import { putAreas } from '#shared/repositories/areas';

export interface ImportOptions {
  /** A JSON Lines file, a JSON array file, or a folder of *.json files with one location each. */
  path: string;
  /** The ONS lookups folder (../shared/data/ons by default). */
  onsDir: string;
  /** Places the lookups cannot: a CQC authority (or town) name → ONS local authority code. */
  places?: Record<string, string>;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary {
  read: number;
  added: number;
  changed: Array<{ locationId: string; fields: string[] }>;
  unchanged: number;
  /** Now inactive (deregistered or dormant) where the directory had them active. */
  deactivated: string[];
  skipped: Record<string, number>;
  /** CQC authority names no ONS code could be found for, with how many locations each. */
  unplaced: Record<string, number>;
}

/** Every record in a file or folder, whichever of the three shapes the CQC data comes in. */
export function readCqcRecords(path: string): CqcLocation[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => JSON.parse(readFileSync(join(path, name), 'utf8')) as CqcLocation);
  }
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text) as CqcLocation[];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as CqcLocation;
      } catch {
        throw new Error(`${path}: line ${index + 1} is not JSON`);
      }
    });
}

const CHUNK = 100;

export function emptySummary(read = 0): ImportSummary {
  return { read, added: 0, changed: [], unchanged: 0, deactivated: [], skipped: {}, unplaced: {} };
}

/**
 * Upsert the CQC directory from a file: the ONS areas first (so the areas table names every council,
 * region and district, and a deployed CQC sync can place records without the files), then the records.
 */
export async function importCqc(options: ImportOptions): Promise<ImportSummary> {
  const areas = onsAreas(readOnsFiles(options.onsDir));
  await putAreas(areas);
  const records = readCqcRecords(options.path);
  const summary = emptySummary(records.length);
  await applyCqcRecords(records, lookupsFromAreas(areas), summary, options);
  return summary;
}

/**
 * Map each record, compare it with what the directory holds, and write only what is new or different,
 * keeping what the running system owns (lastUpdated, the contact address). Applying the same records
 * twice writes nothing the second time. Counts go into `summary` (shared by the pages of a sync).
 */
export async function applyCqcRecords(
  records: readonly CqcLocation[],
  ons: OnsLookups,
  summary: ImportSummary,
  options: Pick<ImportOptions, 'places' | 'onProgress'> = {},
): Promise<void> {
  for (const [name, code] of Object.entries(options.places ?? {})) ons.councils.set(normaliseName(name), code);

  // A location listed twice (two exports joined) counts once, the last one read: DynamoDB refuses a
  // batch read that names the same key twice.
  const byId = new Map<string, DirectoryEntry>();
  for (const record of records) {
    const mapped = mapCqcLocation(record, ons);
    if (mapped.kind === 'entry') byId.set(mapped.entry.locationId, mapped.entry);
    else if (mapped.kind === 'skip') summary.skipped[mapped.reason] = (summary.skipped[mapped.reason] ?? 0) + 1;
    else summary.unplaced[mapped.localAuthority] = (summary.unplaced[mapped.localAuthority] ?? 0) + 1;
  }

  const entries = [...byId.values()];
  for (let start = 0; start < entries.length; start += CHUNK) {
    const chunk = entries.slice(start, start + CHUNK);
    const existing = new Map((await getLocations(chunk.map((entry) => entry.locationId))).map((item) => [item.locationId, item]));
    const added: DirectoryEntry[] = [];
    const changed: DirectoryEntry[] = [];
    for (const entry of chunk) {
      const before = existing.get(entry.locationId);
      if (!before) {
        summary.added += 1;
        added.push(entry);
        continue;
      }
      const fields = changedFields(before as unknown as Record<string, unknown>, entry);
      if (fields.length === 0) {
        summary.unchanged += 1;
        continue;
      }
      summary.changed.push({ locationId: entry.locationId, fields });
      if (before.active && !entry.active) summary.deactivated.push(entry.locationId);
      changed.push(entry);
    }
    if (added.length > 0) await putLocations(added);
    // Changed ones are updated field by field: a return landing meanwhile keeps its lastUpdated.
    for (const entry of changed) await updateDirectoryFields(entry);
    options.onProgress?.(Math.min(start + CHUNK, entries.length), entries.length);
  }
}
