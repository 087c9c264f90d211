/**
 * Endpoints: the origin (and optional path prefix) of a host serving the HTTP API.
 * @module
 */
import { InvalidEndpointError } from './errors.js';
import { WEBHOOK_PATH } from './routes.js';

export const NOT_A_URL = 'is not a URL';

/** Why `endpoint` cannot be an endpoint, or undefined when it can. */
export function endpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return NOT_A_URL;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'must be an http:// or https:// URL';
}

/**
 * The endpoint without query, fragment, trailing slashes or the API's own path:
 * `http://host:7071/` and `http://host:7071/runtime/webhooks/durabletask` both mean `http://host:7071`.
 * Throws `InvalidEndpointError` for anything but an http(s) URL.
 */
export function normalizeEndpoint(endpoint: string): string {
  const problem = endpointProblem(endpoint);
  if (problem) throw new InvalidEndpointError(endpoint, problem);
  const url = new URL(endpoint.trim());
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path.endsWith(WEBHOOK_PATH) ? path.slice(0, -WEBHOOK_PATH.length) : path}`.replace(/\/+$/, '');
}
