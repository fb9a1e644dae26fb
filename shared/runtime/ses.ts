import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { setting } from '#shared/runtime/settings';
import { tracer } from '#shared/runtime/powertools';
import { withoutEmailAddresses } from '#shared/model/email-addresses';

/** The middleware that redacts SES's errors, by name: at most once on a client's stack. */
const REDACT_MIDDLEWARE = 'RedactEmailAddressesFromErrors';

/**
 * One SES client per container. SES_ENDPOINT points it at the local SES endpoint; in AWS it is unset.
 * The sender is the verified identity the CDK app creates.
 *
 * No address from an SES error reaches a trace or a log: a middleware takes them out of every error as
 * it leaves the deserializer (step `deserialize`, wrapping it), inside the tracer's middleware (step
 * `build`, which records the error's message and stack on the SES subsegment) and the retries (step
 * `finalizeRequest`), so what the tracer records and what `sendEmail` throws are already without them.
 */
const endpoint = process.env.SES_ENDPOINT;
const sesClient = new SESv2Client({ ...(endpoint ? { endpoint } : {}), maxAttempts: 3 });
sesClient.middlewareStack.add(
  (next) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      throw withoutEmailAddresses(error);
    }
  },
  { step: 'deserialize', priority: 'high', name: REDACT_MIDDLEWARE, override: true },
);
const client = tracer.captureAWSv3Client(sesClient);

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends through SES's v2 SendEmail (a simple message to every address of `to`); resolves to the SES
 * message id. v2 rather than v1: the local SES endpoint keeps only the first recipient of a v1 call.
 */
export async function sendEmail(email: OutgoingEmail): Promise<string> {
  const result = await client.send(
    new SendEmailCommand({
      FromEmailAddress: setting('REMINDER_FROM_ADDRESS'),
      Destination: { ToAddresses: email.to },
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
        },
      },
    }),
  );
  if (!result.MessageId) throw new Error('SES returned no message id');
  return result.MessageId;
}
