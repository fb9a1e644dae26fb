import './local/process-defaults';
import { readFileSync } from 'node:fs';
import { stageScript } from './aws/stage-script';
import { CalendarDate, ENGLAND } from '#shared/model/schemas/common';
import { londonDay } from '#shared/model/returns/report-date';

const USAGE = `npm run aggregates:rebuild -- --from DATE --to DATE [--area CODE] [--fix] [--stage dev|prod]
npm run aggregates:rebuild -- --from-dead-letters FILE [--from-dead-letters FILE ...] [--fix] [--stage dev|prod]

  Brings the aggregates of every day from --from to --to (YYYY-MM-DD) up to the stored returns, after the
  returns stream lost some (a dead-lettered batch, records past their age): reads each day's returns with
  one Query of the byDay index, and puts every location-day whose ledger has not seen its current version
  through the aggregator's own path (only newer versions, conditional on the ledger: idempotent, safe
  while the aggregator runs). Then each location's newest return brings its latest-return copy and vacancy
  search entries forward. It also checks each area-day wholly inside the area against its ledger (the
  aggregate must be the sum of the ledger's contributions) and lists every mismatch.

  --area              a region (E12...) or a local authority (its region from the areas table); default
                      England (E92000001): every area-day of each day is checked
  --from-dead-letters the days (and area) from a dead-letter file: the local poller's
                      (.local/aggregator-dead-letters.jsonl: the records' own report dates and places),
                      or Lambda's on-failure records as 'aws sqs receive-message' prints them (arrival day
                      − 7 to arrival day, all of England: a return for day D is written on D to D + 7)
  --fix               set a mismatched aggregate to the sum of its ledger, if a second reading 2 s later
                      finds the same difference, on condition it still holds the figures read (all of
                      England only: every ledger entry of the area-day must be read)
  --stage             a deployed stage instead of the local stack (AWS_PROFILE, AWS_REGION)

  Exits 1 if a location-day could not be applied or a mismatch is left; run it again until it reports
  nothing applied and no mismatches.`;

const MAX_DAYS = 366;

function date(value: string | undefined, flag: string): string {
  if (value === undefined) throw new Error(`${flag} is required (YYYY-MM-DD)\n\n${USAGE}`);
  const parsed = CalendarDate.safeParse(value);
  if (!parsed.success) throw new Error(`${flag} ${JSON.stringify(value)} is not a date written YYYY-MM-DD`);
  return parsed.data;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : word.endsWith('ch') ? 'es' : 's'}`;
const areaName = (code: string) => (code === ENGLAND ? `England (${ENGLAND})` : code);

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  area: { type: 'string' },
  'from-dead-letters': { type: 'string', multiple: true },
  fix: { type: 'boolean' },
} as const;

/** The options that cannot go together, refused before anything is attached. */
function checkOptions(values: { from?: string; to?: string; area?: string; 'from-dead-letters'?: string[]; fix?: boolean }): void {
  if (values['from-dead-letters'] !== undefined && (values.from !== undefined || values.to !== undefined)) throw new Error('give either --from-dead-letters or --from and --to, not both');
  if (values.fix && values.area !== undefined) throw new Error('--fix reads every ledger entry of an area-day, which only a rebuild of all England does: leave out --area');
  if (values['from-dead-letters'] === undefined) {
    date(values.from, '--from');
    date(values.to, '--to');
  }
}

stageScript(USAGE, OPTIONS, async (values, target) => {
  const deadLetters = values['from-dead-letters'];
  let from = deadLetters === undefined ? date(values.from, '--from') : '';
  let to = deadLetters === undefined ? date(values.to, '--to') : '';
  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { deadLetterWindow, rebuildAggregates } = await import('#shared/services/aggregates/rebuild');
  let area = values.area;
  if (deadLetters !== undefined) {
    const window = deadLetterWindow(deadLetters.map((file) => readFileSync(file, 'utf8')));
    ({ from, to } = window);
    // --fix needs all of England; otherwise the one council or region the records name, if they name one.
    if (!values.fix) area ??= window.area;
    console.log(
      window.exact
        ? `${deadLetters.join(', ')}: ${plural(window.batches, 'batch')} given up on, ${plural(window.records, 'record')}, report dates ${from} to ${to}, in ${areaName(window.area)}`
        : `${deadLetters.join(', ')}: ${plural(window.batches, 'batch')} given up on (Lambda's on-failure records name sequence numbers, not returns): the report dates they can hold are ${from} to ${to}, in all of England`,
    );
  }
  const today = londonDay(new Date());
  if (to > today) to = today;
  if (from > to) throw new Error(`--from ${from} is after --to ${to}`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
  if (days > MAX_DAYS) throw new Error(`${days} days is more than ${MAX_DAYS}: rebuild a shorter range at a time`);

  console.log(`rebuilding the aggregates of ${areaName(area ?? ENGLAND)} from ${from} to ${to} (${plural(days, 'day')}) in ${target}`);
  const tty = process.stdout.isTTY === true;
  const report = await rebuildAggregates({
    from,
    to,
    ...(area !== undefined ? { area } : {}),
    ...(values.fix ? { repair: true } : {}),
    // A line that counts up while a day's returns are read, on a terminal; then the day's line in its place.
    onProgress: ({ date: day, returnsRead }) => {
      if (tty) process.stdout.write(`\r\x1b[K  ${day}  returns read: ${returnsRead}`);
    },
    onDay: (day) =>
      process.stdout.write(
        `${tty ? '\r\x1b[K' : ''}  ${day.date}  returns ${day.returnsRead}, applied ${day.applied}, already current ${day.alreadyCurrent}` +
          `${day.failed ? `, FAILED ${day.failed}` : ''}, area-days checked ${day.areaDaysChecked}` +
          `${day.unsettled ? ` (${day.unsettled} moving)` : ''}, mismatches ${day.mismatches}${values.fix ? `, fixed ${day.repaired}` : ''}\n`,
      ),
  });

  console.log(`${plural(report.days, 'day')} in ${areaName(report.area.area)}`);
  console.log(`  returns read                 ${report.returnsRead}`);
  console.log(`  location-days applied        ${report.applied}  (brought to their current return through the ledger)`);
  console.log(`  already current              ${report.alreadyCurrent}`);
  console.log(`  locations refreshed          ${report.locationsRefreshed}  (latest-return copy and vacancy entries from their newest return read)`);
  console.log(`  failed                       ${report.failed.length}${report.failed.length ? '  (run it again; the errors are below)' : ''}`);
  console.log(`  area-days checked            ${report.areaDaysChecked}  (aggregate = the sum of its ledger entries)`);
  if (report.unsettled.length) console.log(`  moving while read            ${report.unsettled.length}  (the aggregator was changing them: not judged; run again when quieter)`);
  console.log(`  mismatches                   ${report.mismatches.length}`);
  if (values.fix) console.log(`  fixed                        ${report.repaired.length}${report.repairSkipped ? `  (${report.repairSkipped} not: read differently the second time or changed meanwhile; run again)` : ''}`);
  for (const failure of report.failed.slice(0, 20)) console.log(`  failed: ${failure.locationId} ${failure.reportDate}: ${failure.error}`);
  if (report.failed.length > 20) console.log(`  ... and ${report.failed.length - 20} more failed`);
  for (const [index, mismatch] of report.mismatches.entries()) {
    if (index === 20) {
      console.log(`  ... and ${report.mismatches.length - 20} more mismatches`);
      break;
    }
    const figures = mismatch.differences.slice(0, 4).map(({ metric, aggregate, ledger }) => `${metric} ${aggregate} (ledger ${ledger})`);
    console.log(
      `  mismatch: ${mismatch.ref.level} ${mismatch.ref.area} ${mismatch.date}: ${mismatch.aggregate === undefined ? 'no aggregate item; ' : ''}${figures.join(', ')}${mismatch.differences.length > 4 ? ', ...' : ''}`,
    );
  }
  if (report.mismatches.length > 0 && !values.fix) console.log('  a mismatch is an aggregate changed outside the ledger: --fix sets it to its ledger sum (all of England)');
  const clean = report.applied === 0 && report.failed.length === 0 && report.mismatches.length === 0 && report.repaired.length === 0;
  console.log(clean ? 'nothing applied and no mismatches: the aggregates are their ledgers, and the ledgers the stored returns.' : 'run it once more to confirm nothing is left.');
  if (report.failed.length > 0 || report.mismatches.length > 0) process.exitCode = 1;
}, checkOptions);
