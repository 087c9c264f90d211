/**
 * `@azure/functions` v4's HTTP types over web-standard `Request`/`Response`: `HttpRequest`
 * (`params`, `query` as URLSearchParams, `headers`, `json()`, `text()`…), `HttpResponse` and
 * the `HttpResponseInit` a handler may return instead.
 * @module
 */
import type { InvocationContext } from './invocation-context.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PATCH' | 'PUT' | 'OPTIONS' | 'TRACE' | 'CONNECT';

export interface Cookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: Date | number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
  maxAge?: number;
}

export type HttpResponseBodyInit = BodyInit | null | undefined;

export interface HttpResponseInit {
  /** Default 200. */
  status?: number;
  body?: HttpResponseBodyInit;
  /** Serialized as JSON, with `Content-Type: application/json` unless a content type is set. */
  jsonBody?: unknown;
  headers?: HeadersInit;
  cookies?: Cookie[];
  enableContentNegotiation?: boolean;
}

export interface HttpRequestInit {
  method?: string;
  url: string;
  body?: { string?: string; bytes?: Uint8Array<ArrayBuffer> };
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
}

export type HttpHandler = (
  request: HttpRequest,
  context: InvocationContext,
) => HttpResponseInit | HttpResponse | undefined | Promise<HttpResponseInit | HttpResponse | undefined>;

/** The request a handler gets: the web `Request`, with the route's parameters and the query parsed. */
export class HttpRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly user = null;
  private readonly raw: Request;

  constructor(request: Request | HttpRequestInit, params: Record<string, string> = {}) {
    if (request instanceof Request) {
      this.raw = request;
      this.params = params;
    } else {
      const url = new URL(request.url);
      for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
      const body = request.body?.string ?? request.body?.bytes;
      this.raw = new Request(url, { method: request.method ?? 'GET', headers: request.headers, body });
      this.params = { ...request.params, ...params };
    }
    this.query = new URL(this.raw.url).searchParams;
  }

  get method(): string {
    return this.raw.method;
  }
  get url(): string {
    return this.raw.url;
  }
  get headers(): Headers {
    return this.raw.headers;
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this.raw.body;
  }
  get bodyUsed(): boolean {
    return this.raw.bodyUsed;
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.raw.arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.raw.blob();
  }
  formData(): Promise<FormData> {
    return this.raw.formData() as Promise<FormData>;
  }
  json(): Promise<unknown> {
    return this.raw.json();
  }
  text(): Promise<string> {
    return this.raw.text();
  }
  clone(): HttpRequest {
    return new HttpRequest(this.raw.clone(), { ...this.params });
  }
}

function setCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/** A response built from `HttpResponseInit`; `toResponse()` gives the web `Response` the host sends. */
export class HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly cookies: Cookie[];
  private readonly response: Response;

  constructor(init: HttpResponseInit = {}) {
    this.status = init.status ?? 200;
    this.headers = new Headers(init.headers);
    this.cookies = init.cookies ?? [];
    let body = init.body;
    if (init.jsonBody !== undefined) {
      body = JSON.stringify(init.jsonBody);
      if (!this.headers.has('content-type')) this.headers.set('content-type', 'application/json');
    }
    for (const cookie of this.cookies) this.headers.append('set-cookie', setCookie(cookie));
    // A null-body status (204, 304) must not carry a body.
    this.response = new Response([101, 204, 205, 304].includes(this.status) ? null : (body ?? null), { status: this.status, headers: this.headers });
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.response.body;
  }
  get bodyUsed(): boolean {
    return this.response.bodyUsed;
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.response.arrayBuffer();
  }
  json(): Promise<unknown> {
    return this.response.json();
  }
  text(): Promise<string> {
    return this.response.text();
  }
  clone(): HttpResponse {
    return HttpResponse.from(this.response.clone());
  }

  /** The web Response to send. */
  toResponse(): Response {
    return this.response;
  }

  /** Wraps a web Response (the check-status responses of edge-worker/check-status.ts). */
  static from(response: Response): HttpResponse {
    return new HttpResponse({ status: response.status, headers: response.headers, body: response.body });
  }
}

/** What a handler returned, as the Response to send (nothing returned: an empty 200). */
export function toWebResponse(result: HttpResponseInit | HttpResponse | undefined): Response {
  // By shape, not instanceof: an app bundled with its own copy of this module still returns one.
  if (result && typeof (result as HttpResponse).toResponse === 'function') return (result as HttpResponse).toResponse();
  return new HttpResponse((result as HttpResponseInit | undefined) ?? {}).toResponse();
}
