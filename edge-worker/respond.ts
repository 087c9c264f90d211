/**
 * Responses shared by routes: the 202 check-status response and the optional wait for
 * completion of the start and restart routes (Durable Functions' `timeout` + `pollingInterval`).
 * @module
 */
import type { Context } from 'hono';
import type { DurableClient } from '../core/client.js';
import { isDurableError } from '../core/errors.js';
import type { OrchestrationStatus } from '../core/status.js';
import type { InstanceRecord } from '../core/store/port.js';
import { toStatusPayload, wireTime } from '../core/wire/payloads.js';
import type { Api } from './api.js';
import { createCheckStatusResponse } from './check-status.js';
import { HttpError } from './errors.js';
import { bool, seconds } from './params.js';

/** 202 + check-status body + Location + Retry-After: 10. URLs use the configured base URL, else the request's origin. */
export function checkStatus(api: Api, c: Context, client: DurableClient, instanceId: string): Response {
  return createCheckStatusResponse(client, api.baseUrl ? undefined : c.req.raw, instanceId);
}

export interface WaitRequest {
  timeoutMs: number;
  intervalMs: number;
  failWith500: boolean;
}

/** Reads `timeout` and `pollingInterval` (seconds; both needed to wait, as in Durable Functions). Validates before any write. */
export function waitRequest(api: Api, c: Context): WaitRequest | undefined {
  const timeout = seconds(c, 'timeout', api.maxWaitSeconds);
  const interval = seconds(c, 'pollingInterval', api.maxWaitSeconds);
  const failWith500 = bool(c, 'returnInternalServerErrorOnFailure', false);
  if (timeout === undefined || interval === undefined) return undefined;
  if (interval <= 0) throw new HttpError(400, 'InvalidArgument', 'pollingInterval must be greater than 0 seconds.');
  if (interval > timeout) throw new HttpError(400, 'InvalidArgument', `pollingInterval (${interval} s) must not exceed timeout (${timeout} s).`);
  return { timeoutMs: timeout * 1000, intervalMs: interval * 1000, failWith500 };
}

/** The status payload with Durable Functions' status code: 200 when done (Failed → 500 with the flag), 202 while active. */
export function statusResponse(
  c: Context,
  status: OrchestrationStatus,
  options: { showHistoryOutput?: boolean; showInput?: boolean; failWith500: boolean },
): Response {
  const payload = toStatusPayload(status, options);
  switch (status.runtimeStatus) {
    case 'Completed':
    case 'Terminated':
      return c.json(payload, 200);
    case 'Failed':
      return c.json(payload, options.failWith500 ? 500 : 200);
    default:
      return c.json(payload, 202, { Location: c.req.url, 'Retry-After': '5' });
  }
}

const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** `wireTime` for the store's ISO strings, without a Date round trip. */
const wire = (iso: string) => (CANONICAL_ISO.test(iso) ? `${iso.slice(0, 19)}Z` : wireTime(iso));

/**
 * The status payload (no history) written straight from the record's stored JSON text:
 * the same bytes as `JSON.stringify(toStatusPayload(toStatus(record)))`, without parsing
 * and re-serializing input, output and custom status.
 */
export function statusPayloadText(record: InstanceRecord, showInput: boolean): string {
  return (
    `{"name":${JSON.stringify(record.name)},"instanceId":${JSON.stringify(record.instanceId)},"runtimeStatus":"${record.runtimeStatus}",` +
    `"input":${(showInput && record.input) || 'null'},"customStatus":${record.customStatus ?? 'null'},"output":${record.output ?? 'null'},` +
    `"createdTime":"${wire(record.createdTime)}","lastUpdatedTime":"${wire(record.lastUpdatedTime)}"}`
  );
}

/** `statusResponse` for a record, without history. */
export function statusTextResponse(c: Context, record: InstanceRecord, showInput: boolean, failWith500: boolean): Response {
  const body = statusPayloadText(record, showInput);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  switch (record.runtimeStatus) {
    case 'Completed':
    case 'Terminated':
      return c.body(body, 200, headers);
    case 'Failed':
      return c.body(body, failWith500 ? 500 : 200, headers);
    default:
      return c.body(body, 202, { ...headers, Location: c.req.url, 'Retry-After': '5' });
  }
}

const SHUTDOWN = Symbol('shutdown');

/** Resolves to `work`'s value, or to SHUTDOWN as soon as the signal aborts (no listener is left behind). */
async function unlessShutdown<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof SHUTDOWN> {
  if (!signal) return work;
  if (signal.aborted) return SHUTDOWN;
  let onAbort!: () => void;
  const aborted = new Promise<typeof SHUTDOWN>((resolve) => {
    onAbort = () => resolve(SHUTDOWN);
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Completed within the timeout: 200 with the raw output. Failed or Terminated: the status
 * payload (200; 500 for Failed with returnInternalServerErrorOnFailure). Otherwise the 202 check-status response.
 */
export async function waitOrCheckStatus(api: Api, c: Context, client: DurableClient, instanceId: string, wait: WaitRequest | undefined): Promise<Response> {
  if (!wait) return checkStatus(api, c, client, instanceId);
  let status: OrchestrationStatus;
  try {
    const waited = client.waitForCompletion(instanceId, { timeoutInMilliseconds: wait.timeoutMs, retryIntervalInMilliseconds: wait.intervalMs });
    const first = await unlessShutdown(waited, api.signal);
    if (first === SHUTDOWN) {
      waited.catch(() => undefined); // it ends by itself at its deadline
      return checkStatus(api, c, client, instanceId);
    }
    status = first;
  } catch (error) {
    // Timed out, or purged while we waited: the caller polls the check-status URLs.
    if (isDurableError(error, 'Timeout') || isDurableError(error, 'InstanceNotFound')) return checkStatus(api, c, client, instanceId);
    throw error;
  }
  if (status.runtimeStatus === 'Completed') return c.json(status.output ?? null, 200);
  return c.json(toStatusPayload(status), status.runtimeStatus === 'Failed' && wait.failWith500 ? 500 : 200);
}
