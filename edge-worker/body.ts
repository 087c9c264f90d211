/**
 * Request bodies: read with a byte limit enforced while streaming (Content-Length is only
 * a fast path; a lying or absent one is caught by counting), decoded as strict UTF-8, parsed as JSON.
 * @module
 */
import { HttpError } from './errors.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * An oversized body is still read and discarded up to this many bytes, so that the client,
 * still sending, sees the 413 instead of a connection reset; beyond it the connection is dropped.
 */
const DRAIN_BYTES = 8 * 1024 * 1024;

function tooLarge(limit: number, drained: boolean): HttpError {
  // When the rest of the body was not read, the connection cannot carry another request.
  return new HttpError(413, 'PayloadTooLarge', `The request body is larger than ${limit} bytes.`, drained ? {} : { Connection: 'close' });
}

/** Reads and discards the rest of the body, up to DRAIN_BYTES in all; true if it reached the end. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, size: number): Promise<boolean> {
  try {
    while (size <= DRAIN_BYTES) {
      const { done, value } = await reader.read();
      if (done) return true;
      size += value.byteLength;
    }
    await reader.cancel();
  } catch {
    /* the client went away */
  }
  return false;
}

/** The body as text; '' when there is none. */
export async function readText(request: Request, limit: number): Promise<string> {
  const length = request.headers.get('content-length');
  // Declared empty: nothing to read. (Node's parser refuses a request that has both this and a
  // Transfer-Encoding.) Not touching `body` spares the Node host building a web stream per request.
  if (length === '0') return '';
  const declared = Number(length ?? 0);
  const body = request.body;
  if (!body) {
    if (declared > limit) throw tooLarge(limit, true);
    return '';
  }
  const reader = body.getReader();
  if (declared > limit) throw tooLarge(limit, declared <= DRAIN_BYTES && (await drain(reader, 0)));
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) throw tooLarge(limit, await drain(reader, size));
    chunks.push(value);
  }
  if (size === 0) return '';
  const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks, size);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'InvalidJson', 'Invalid JSON content: the request body is not valid UTF-8.');
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The body parsed as JSON; `undefined` for an empty body (Durable Functions: no content → null input). */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const text = await readText(request, limit);
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'InvalidJson', `Invalid JSON content: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Durable Functions' raiseEvent rule: the media type must be exactly application/json (parameters allowed). */
export function requireJsonContentType(request: Request): void {
  const type = request.headers.get('content-type');
  const media = type === null ? undefined : type.split(';', 1)[0]!.trim().toLowerCase();
  if (media !== 'application/json') {
    throw new HttpError(400, 'UnsupportedContentType', 'Only application/json request content is supported');
  }
}
