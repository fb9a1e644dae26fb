import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ASYNC_FUNCTION_SETTINGS } from '#shared/model/async-functions';
import type { AsyncFunctionId } from '#shared/model/route-definition';
import { setting } from '#shared/runtime/settings';
import { tracer } from '#shared/runtime/powertools';

/**
 * One Lambda client per container, for starting functions in the background. LAMBDA_ENDPOINT points it
 * at the local stand-in for Lambda's Invoke API (scripts/local/lambda-local.ts); in AWS it is unset.
 */
const endpoint = process.env.LAMBDA_ENDPOINT;
const client = tracer.captureAWSv3Client(
  new LambdaClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 3,
    // Locally, a stand-in that is not there fails the call within seconds rather than at the route's timeout.
    ...(endpoint ? { requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 } } : {}),
  }),
);

/**
 * Queue `payload` (JSON, at most 256 KB) for the function `id` and return once Lambda has accepted it
 * (InvocationType Event: 202, nothing run yet). Lambda then runs it, retries a failure, and sends an event
 * it gave up on to the function's dead-letter queue. The function's name comes from its setting
 * (`ASYNC_FUNCTION_SETTINGS`), which the invoking function must declare.
 */
export async function invokeAsync(id: AsyncFunctionId, payload: unknown): Promise<void> {
  const result = await client.send(
    new InvokeCommand({
      FunctionName: setting(ASYNC_FUNCTION_SETTINGS[id]),
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
  if (result.StatusCode !== 202) throw new Error(`Lambda did not accept the invocation of ${id}: status ${result.StatusCode ?? 'none'}`);
}
