import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getLocations, putLocations, updateDirectoryFields } from '#shared/repositories/locations';
import type { DirectoryEntry } from '#shared/model/schemas/location';
import { changedFields, mapCqcLocation, type CqcLocation } from '#shared/model/directory/cqc';
import { loadOnsLookups, normaliseName } from '#shared/model/directory/ons';

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

/**
 * Upsert the CQC directory: map each record, compare it with what the directory holds, and write only
 * what is new or different, keeping what the running system owns (lastUpdated, the contact address).
 * Importing the same file twice writes nothing the second time.
 */
export async function importCqc(options: ImportOptions): Promise<ImportSummary> {
  const ons = loadOnsLookups(options.onsDir);
  for (const [name, code] of Object.entries(options.places ?? {})) ons.councils.set(normaliseName(name), code);
  const records = readCqcRecords(options.path);
  const summary: ImportSummary = { read: records.length, added: 0, changed: [], unchanged: 0, deactivated: [], skipped: {}, unplaced: {} };

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
  return summary;
}
