/**
 * The contacts file an operator onboards a whole area with (`npm run import:contacts`): one row per
 * location, RFC 4180 CSV in UTF-8 (a byte order mark allowed), a header naming the columns:
 *
 * | column | what |
 * |---|---|
 * | `locationId` | the CQC location ID |
 * | `reminderEmails` | 1–5 addresses its reminders go to, separated by `;` |
 * | `phone` | optional |
 * | `providerContact` | optional: the nominated contact of the location's provider (escalations, digests) |
 *
 * Other columns (a name, say) are ignored. Each row is checked alone: a bad row is reported by its
 * spreadsheet row number and does not stop the others.
 */
import { parse } from 'csv-parse/sync';
import { EmailAddress, LocationContact } from '#shared/model/schemas/people';
import { LocationId } from '#shared/model/schemas/common';

export const CONTACT_COLUMNS = ['locationId', 'reminderEmails', 'phone', 'providerContact'] as const;

export interface ContactRow {
  /** The spreadsheet row (the header is row 1). */
  line: number;
  locationId: string;
  contact: LocationContact;
  providerContact?: string;
}

export interface ContactRowProblem {
  line: number;
  problem: string;
}

export function parseContactsCsv(text: string): { rows: ContactRow[]; problems: ContactRowProblem[] } {
  const records = parse(text, { bom: true, columns: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as Array<Record<string, string>>;
  const rows: ContactRow[] = [];
  const problems: ContactRowProblem[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const line = index + 2;
    const locationId = LocationId.safeParse(record.locationId ?? '');
    if (!locationId.success) return problems.push({ line, problem: `locationId: ${record.locationId ? `${record.locationId} is not a CQC location ID` : 'is required'}` });
    const earlier = seen.get(locationId.data);
    if (earlier !== undefined) return problems.push({ line, problem: `${locationId.data} is also on row ${earlier}: one row per location` });
    seen.set(locationId.data, line);
    const emails = (record.reminderEmails ?? '').split(/[;\n]/).map((email) => email.trim()).filter(Boolean);
    const contact = LocationContact.safeParse({ reminderEmails: emails, ...(record.phone ? { phone: record.phone } : {}) });
    if (!contact.success) {
      return problems.push({ line, problem: contact.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'row'}: ${issue.message}`).join('; ') });
    }
    let providerContact: string | undefined;
    if (record.providerContact) {
      const parsed = EmailAddress.safeParse(record.providerContact);
      if (!parsed.success) return problems.push({ line, problem: `providerContact: ${parsed.error.issues[0]?.message ?? 'is not an address'}` });
      providerContact = parsed.data;
    }
    rows.push({ line, locationId: locationId.data, contact: contact.data, ...(providerContact ? { providerContact } : {}) });
  });
  return { rows, problems };
}
