/**
 * Durable Functions' HTTP-response helpers, for code that starts orchestrations from its own
 * HTTP handlers (durable-functions' `client.createCheckStatusResponse` and
 * `client.waitForCompletionOrCreateCheckStatusResponse`). The client owns the data (the
 * management URLs, the wait); this module turns it into `Response`s.
 * @module
 */
import type { DurableClient, WaitOptions } from '../core/client.js';
import { InvalidArgumentError, TimeoutError } from '../core/errors.js';
import { checkStatusBody } from '../core/wire/management.js';
import { toStatusPayload } from '../core/wire/payloads.js';

/** 202 with the management URLs (origin taken from the request when given), `Location` and `Retry-After`. */
export function createCheckStatusResponse(client: DurableClient, request: Request | undefined, instanceId: string): Response {
  const payload = client.createHttpManagementPayload(instanceId, request);
  return Response.json(checkStatusBody(payload), { status: 202, headers: { Location: payload.statusQueryGetUri, 'Retry-After': '10' } });
}

/**
 * Completed within the timeout: 200 with the output. Failed: 500 with the status;
 * Terminated: 200 with the status. Still running: the 202 check-status response.
 */
export async function waitForCompletionOrCreateCheckStatusResponse(
  client: DurableClient,
  request: Request | undefined,
  instanceId: string,
  options: WaitOptions = {},
): Promise<Response> {
  const timeout = options.timeoutInMilliseconds ?? 10_000;
  const interval = options.retryIntervalInMilliseconds ?? 1000;
  if (interval > timeout) throw new InvalidArgumentError(`The retry interval (${interval} ms) must not exceed the timeout (${timeout} ms).`);
  try {
    const status = await client.waitForCompletion(instanceId, options);
    if (status.runtimeStatus === 'Completed') return Response.json(status.output ?? null, { status: 200 });
    return Response.json(toStatusPayload(status), { status: status.runtimeStatus === 'Failed' ? 500 : 200 });
  } catch (error) {
    if (error instanceof TimeoutError) return createCheckStatusResponse(client, request, instanceId);
    throw error;
  }
}
