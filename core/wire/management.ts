/**
 * Management URLs: the `HttpManagementPayload` of Durable Functions and the body of its 202
 * check-status response. URLs carry no key unless one is configured.
 * @module
 */
import { routes, WEBHOOK_PATH } from './routes.js';

export interface ManagementUrlOptions {
  /** Origin (and optional path prefix) of the HTTP API, e.g. `http://127.0.0.1:7071`. */
  baseUrl: string;
  taskHub: string;
  /** Appended as `code=` only when configured: URLs carry no key by default. */
  code?: string;
}

export interface HttpManagementPayload {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

/** The 202 body of start and restart. Servers of older Durable Functions versions leave out restart, suspend and resume. */
export type CheckStatusPayload = Omit<HttpManagementPayload, 'rewindPostUri' | 'restartPostUri' | 'suspendPostUri' | 'resumePostUri'> &
  Partial<Pick<HttpManagementPayload, 'restartPostUri' | 'suspendPostUri' | 'resumePostUri'>>;

export function createHttpManagementPayload(instanceId: string, options: ManagementUrlOptions): HttpManagementPayload {
  const base = `${options.baseUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}/${routes.instance(instanceId)}`;
  const query = `taskHub=${encodeURIComponent(options.taskHub)}${options.code ? `&code=${encodeURIComponent(options.code)}` : ''}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${base}?${query}`,
    sendEventPostUri: `${base}/raiseEvent/{eventName}?${query}`,
    terminatePostUri: `${base}/terminate?reason={text}&${query}`,
    rewindPostUri: `${base}/rewind?reason={text}&${query}`,
    purgeHistoryDeleteUri: `${base}?${query}`,
    restartPostUri: `${base}/restart?${query}`,
    suspendPostUri: `${base}/suspend?reason={text}&${query}`,
    resumePostUri: `${base}/resume?reason={text}&${query}`,
  };
}

/** The 202 body of a check-status response: Durable Functions leaves `rewindPostUri` out. */
export function checkStatusBody(payload: HttpManagementPayload): Omit<HttpManagementPayload, 'rewindPostUri'> {
  const { rewindPostUri: _r, ...body } = payload;
  return body;
}
