import { parseContactsCsv, type ContactRowProblem } from '#shared/model/people/contacts-csv';
import { subjects } from '#shared/model/people/audit';
import { getLocationContact, getProviderContact, putLocationContact, putProviderContact } from '#shared/repositories/location-contacts';
import { getLocations } from '#shared/repositories/locations';

export interface ContactImportSummary {
  read: number;
  /** Locations whose reminder addresses (or phone) were set or changed. */
  set: number;
  unchanged: number;
  providersSet: number;
  /** Rows not applied: unreadable, or for a location not in the directory. */
  problems: ContactRowProblem[];
}

const CHUNK = 100;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Apply a contacts file: each location's reminder addresses (and phone) and its provider's nominated
 * contact, written only where they differ from what is held (so a second run writes nothing), each
 * change audited as the operator's. Rows that cannot be read, or name an unknown location, are reported.
 */
export async function importContacts(text: string, actor: string, now: Date, onProgress?: (done: number, total: number) => void): Promise<ContactImportSummary> {
  const { rows, problems } = parseContactsCsv(text);
  const summary: ContactImportSummary = { read: rows.length + problems.length, set: 0, unchanged: 0, providersSet: 0, problems: [...problems] };
  const providersDone = new Map<string, string>();
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const known = new Map((await getLocations(chunk.map(({ locationId }) => locationId))).map((location) => [location.locationId, location]));
    for (const row of chunk) {
      const location = known.get(row.locationId);
      if (!location) {
        summary.problems.push({ line: row.line, problem: `no location ${row.locationId} in the directory` });
        continue;
      }
      const before = await getLocationContact(row.locationId);
      if (same(before, row.contact)) summary.unchanged += 1;
      else {
        await putLocationContact(row.locationId, row.contact, { actor, action: 'location.contact', subject: subjects.location(row.locationId), before: before ?? null, after: row.contact }, now);
        summary.set += 1;
      }
      if (row.providerContact && providersDone.get(location.providerId) !== row.providerContact) {
        providersDone.set(location.providerId, row.providerContact);
        if ((await getProviderContact(location.providerId)) !== row.providerContact) {
          await putProviderContact(location.providerId, row.providerContact, { actor, action: 'provider.contact', subject: subjects.provider(location.providerId), before: null, after: { email: row.providerContact } }, now);
          summary.providersSet += 1;
        }
      }
    }
    onProgress?.(Math.min(start + CHUNK, rows.length), rows.length);
  }
  summary.problems.sort((a, b) => a.line - b.line);
  return summary;
}
