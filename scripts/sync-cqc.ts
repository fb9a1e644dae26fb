import './local/process-defaults';
import { parseArgs } from 'node:util';
import { CQC_API_KEY_SECRET_OUTPUT, CQC_API_PRODUCTION_URL, LOCAL_CQC_API_KEY_FILE } from '#shared/model/settings';
import type { CqcSyncReport } from '#shared/services/directory/sync';
import { attach, attachOrUseEnvironment } from './local/attach';
import { dataStackOutput, parseStage, useDeployedStage } from './aws/deployed-stage';
import { progress } from './bench/environment';
import { summaryLines } from './directory-summary';

const USAGE = `npm run sync:cqc [-- --since DATE] [--stage dev|prod] [--api URL] [--key-file PATH]

  Reads the CQC Syndication API's location changes since the last successful sync (the checkpoint), fetches
  each changed location and applies it to the directory as npm run import:cqc would.

  --since    start here instead of at the checkpoint: YYYY-MM-DD (midnight UTC) or an ISO instant. Needed
             the first time, when there is no checkpoint (e.g. the day the register file was imported)
  --stage    a deployed stage instead of the local stack: its tables and the key's secret are read from
             the stage's data stack, with your AWS credentials and region (AWS_PROFILE, AWS_REGION), and the
             CQC's own API is called
  --api      the API up to /public/v1 (default: the local stack's stand-in, or ${CQC_API_PRODUCTION_URL})
  --key-file a file holding the subscription key, instead of the local stand-in's or the stage's secret`;

/** `--since`: a day (midnight UTC) or an instant. */
function parseSince(value: string): Date {
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(instant.getTime())) throw new Error(`--since wants YYYY-MM-DD or an ISO instant, not ${value}`);
  return instant;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      since: { type: 'string' },
      stage: { type: 'string' },
      api: { type: 'string' },
      'key-file': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const since = values.since ? parseSince(values.since) : undefined;

  let target: string;
  if (values.stage) {
    const stage = parseStage(values.stage);
    target = await useDeployedStage(stage);
    process.env.CQC_API_BASE_URL = CQC_API_PRODUCTION_URL;
    if (!values['key-file']) process.env.CQC_API_KEY_SECRET_ARN = await dataStackOutput(stage, CQC_API_KEY_SECRET_OUTPUT);
  } else if (process.env.DYNAMODB_ENDPOINT || process.env.LOCATIONS_TABLE) {
    target = attachOrUseEnvironment();
  } else {
    const running = attach();
    target = running.description;
    if (running.cqcApiUrl) process.env.CQC_API_BASE_URL ??= running.cqcApiUrl;
    if (running.cqcApiKeyFile) process.env[LOCAL_CQC_API_KEY_FILE] ??= running.cqcApiKeyFile;
  }
  if (values.api) process.env.CQC_API_BASE_URL = values.api;
  if (values['key-file']) process.env[LOCAL_CQC_API_KEY_FILE] = values['key-file'];
  if (!process.env.CQC_API_BASE_URL) throw new Error('Which CQC API? Give --api URL (or CQC_API_BASE_URL)');
  if (!process.env[LOCAL_CQC_API_KEY_FILE] && !process.env.CQC_API_KEY_SECRET_ARN) {
    throw new Error('Where is the subscription key? Give --key-file PATH (or CQC_API_KEY_FILE, or CQC_API_KEY_SECRET_ARN)');
  }
  console.log(`syncing the directory of ${target} with the CQC API at ${process.env.CQC_API_BASE_URL}`);

  // Imported after attaching: the DynamoDB client takes DYNAMODB_ENDPOINT (the running stack's) when it loads.
  const { CqcSyncError, syncCqcLocations } = await import('#shared/services/directory/sync');
  let bar: ((done: number) => void) | undefined;
  try {
    const report = await syncCqcLocations({
      now: new Date(),
      ...(since ? { since } : {}),
      firstRun: 'refuse',
      onProgress: (event) => {
        if (event.kind === 'window') {
          bar = undefined;
          console.log(`window ${event.index + 1}/${event.windows}: ${event.start} to ${event.end}`);
        } else if (event.kind === 'changes') {
          process.stderr.write(`\r  changes page ${event.page}/${event.totalPages}${event.page >= event.totalPages ? '\n' : ''}`);
        } else if (event.total > 0) {
          (bar ??= progress('  fetching', event.total))(event.done);
        }
      },
    });
    print(report);
    if (!report.complete) console.log(`stopped before ${report.to}: run again to carry on from ${report.checkpointAfter}`);
  } catch (error) {
    if (error instanceof CqcSyncError) print(error.report);
    throw error;
  }
}

function print(report: CqcSyncReport): void {
  const { summary, api } = report;
  console.log(`\nfrom ${report.from} to ${report.to}: ${report.windows.length} window(s) finished`);
  console.log(`  changed in the register  ${report.changes}`);
  console.log(`  fetched                  ${report.fetched}`);
  for (const line of summaryLines(summary, () => 'no council of that name among the stored areas', 24)) console.log(line);
  if (report.notFound.length > 0) {
    console.log(`  not found (404)          ${report.notFound.length}: the API has no record (deregistered and removed?); left as they are: ${report.notFound.slice(0, 10).join(', ')}${report.notFound.length > 10 ? ', ...' : ''}`);
  }
  console.log(`  API                      ${api.requests} requests, ${api.rateLimited} rate limited (429), ${api.serverErrors} server errors, ${api.retries} retries, ${(api.waitedMs / 1000).toFixed(1)} s waited`);
  console.log(`  checkpoint               ${report.checkpointBefore ?? '(none)'} -> ${report.checkpointAfter ?? '(none)'}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
