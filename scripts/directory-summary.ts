import type { ImportSummary } from '#shared/services/directory/import';

/**
 * The lines of a directory import's summary, as `import:cqc` and `sync:cqc` print them: added, changed
 * (with the fields), deactivated, unchanged, skipped (with reasons), not placed (with what to do).
 */
export function summaryLines(summary: ImportSummary, unplacedAdvice: (name: string) => string, width = 12): string[] {
  const label = (text: string) => `  ${text.padEnd(width)} `;
  const more = (count: number) => (count > 10 ? '\n    ...' : '');
  return [
    `${label('added')}${summary.added}`,
    `${label('changed')}${summary.changed.length}${summary.changed.slice(0, 10).map((c) => `\n    ${c.locationId}: ${c.fields.join(', ')}`).join('')}${more(summary.changed.length)}`,
    `${label('deactivated')}${summary.deactivated.length}${summary.deactivated.length ? ` (${summary.deactivated.slice(0, 10).join(', ')})` : ''}`,
    `${label('unchanged')}${summary.unchanged}`,
    ...Object.entries(summary.skipped).map(([reason, count]) => `${label('skipped')}${count}: ${reason}`),
    ...Object.entries(summary.unplaced).map(([name, count]) => `${label('not placed')}${count} in "${name}": ${unplacedAdvice(name)}`),
  ];
}
