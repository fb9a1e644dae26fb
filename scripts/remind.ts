import './local/process-defaults';
import { attach } from './local/attach';

/**
 * `npm run remind [-- <ISO instant>]`: run the reminder job once on the stack `npm start` is running,
 * as if the clock read the given instant (default now), and print what it sent.
 */
async function main(): Promise<void> {
  const running = attach();
  const at = process.argv[2] ?? new Date().toISOString();
  console.log(`running the reminder job on ${running.gatewayUrl} as if it were ${at} ...`);
  const response = await fetch(`${running.gatewayUrl}/local/reminders/run`, { method: 'POST', body: JSON.stringify({ at }) });
  const report = (await response.json()) as { quietHours?: boolean; staleLocations?: number; itemsRead?: number; sent?: Array<{ kind: string; subject: string; recipients: number }>; alreadySent?: number; failed?: unknown[]; detail?: string };
  if (!response.ok) throw new Error(`the job failed: ${report.detail ?? response.status}`);
  if (report.quietHours) {
    console.log('quiet hours (20:00–07:00 in London): nothing sent');
    return;
  }
  console.log(`${report.staleLocations} stale locations found (${report.itemsRead} index entries read)`);
  for (const email of report.sent ?? []) console.log(`  sent ${email.kind} to ${email.recipients} address${email.recipients === 1 ? '' : 'es'}: ${email.subject}`);
  console.log(`${report.sent?.length ?? 0} sent, ${report.alreadySent ?? 0} already sent earlier, ${report.failed?.length ?? 0} failed; read them at ${running.gatewayUrl}/local/emails`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
