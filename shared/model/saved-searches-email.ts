/** The email a saved search sends when a location newly matches it: plain text and HTML, names escaped. */
import { escapeHtml } from '#shared/model/reminders/templates';
import type { SavedSearchQuery } from '#shared/model/schemas/saved-searches';
import type { VacancyEntry } from '#shared/model/vacancies/entries';

export interface MatchEmailInput {
  name: string;
  distanceMiles: number;
  address?: string;
  postcode?: string;
  phone?: string;
  entry: VacancyEntry;
  query: SavedSearchQuery;
  searchLink: string;
  unsubscribeLink: string;
}

const CATEGORY_NAMES: Record<string, string> = {
  any: 'beds',
  residential: 'residential beds',
  nursing: 'nursing beds',
  dementiaResidential: 'residential dementia beds',
  dementiaNursing: 'nursing dementia beds',
  mentalHealth: 'mental health beds',
  learningDisability: 'learning disability beds',
  inpatient: 'inpatient beds',
};

export function matchEmail(input: MatchEmailInput): { subject: string; text: string; html: string } {
  const miles = `${Math.round(input.distanceMiles * 10) / 10} miles`;
  const what = CATEGORY_NAMES[input.entry.category] ?? `${input.entry.category} beds`;
  const subject = `A bed near ${input.query.near}: ${input.name} (${miles})`;
  const vacancyLines = Object.entries(input.entry.vacancies ?? {})
    .flatMap(([category, split]) => {
      const total = split ? split.male + split.female + split.any : 0;
      return total > 0 ? [`${CATEGORY_NAMES[category] ?? category}: ${total} (male ${split!.male}, female ${split!.female}, any ${split!.any})`] : [];
    });
  const where = [input.address, input.postcode].filter(Boolean).join(', ');
  const lines = [
    `${input.name} now has ${input.entry.total} ${what} matching your saved search near ${input.query.near} (within ${input.query.withinMiles} miles).`,
    `Distance: ${miles}`,
    ...(where ? [`Address: ${where}`] : []),
    ...(input.phone ? [`Phone: ${input.phone}`] : []),
    `Admissions: ${input.entry.admissionsStatus}`,
    'Vacancies:',
    ...vacancyLines.map((line) => `  ${line}`),
  ];
  const text = `${lines.join('\n')}\n\nSee every match: ${input.searchLink}\n\nStop these emails: ${input.unsubscribeLink}\n`;
  const html =
    `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;line-height:1.5;color:#0b0c0c">` +
    `<p>${escapeHtml(lines[0]!)}</p><ul>${lines.slice(1, lines.indexOf('Vacancies:')).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` +
    `<p>Vacancies:</p><ul>${vacancyLines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` +
    `<p><a href="${escapeHtml(input.searchLink)}">See every match near ${escapeHtml(input.query.near)}</a></p>` +
    `<p style="color:#505a5f;font-size:14px">You saved this search on Capacity Tracker. <a href="${escapeHtml(input.unsubscribeLink)}">Stop these emails</a>.</p></body></html>`;
  return { subject, text, html };
}
