import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { setting } from '#shared/runtime/settings';
import { tracer } from '#shared/runtime/powertools';

/**
 * One SES client per container. SES_ENDPOINT points it at the local SES endpoint; in AWS it is unset.
 * The sender is the verified identity the CDK app creates.
 */
const endpoint = process.env.SES_ENDPOINT;
const client = tracer.captureAWSv3Client(new SESClient({ ...(endpoint ? { endpoint } : {}), maxAttempts: 3 }));

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Sends through SES's v1 SendEmail; resolves to the SES message id. */
export async function sendEmail(email: OutgoingEmail): Promise<string> {
  const result = await client.send(
    new SendEmailCommand({
      Source: setting('REMINDER_FROM_ADDRESS'),
      Destination: { ToAddresses: email.to },
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
      },
    }),
  );
  if (!result.MessageId) throw new Error('SES returned no message id');
  return result.MessageId;
}
