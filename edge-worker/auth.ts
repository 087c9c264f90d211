/**
 * Token authorization with two scopes: `read` (GET routes) and `admin` (everything else;
 * admin implies read). Tokens come from `Authorization: Bearer`, or for Durable Functions
 * compatibility the `x-functions-key` header or the `code` query parameter. A presented token
 * is hashed with SHA-256 (`crypto.subtle`) and compared with every configured digest in
 * constant time. A token that verified is remembered (a bounded map from token to scope), so
 * that the hash, slow in Node's WebCrypto, runs once per token and not per request;
 * an unknown token always takes the hash-and-compare path. (The map lookup compares the
 * presented string with a remembered one only when their seeded string hashes collide.)
 * @module
 */
import { HttpError } from './errors.js';

export type Scope = 'read' | 'admin';
/** What a request was granted: a token's scope, or everything without a token on an anonymous server. */
export type Granted = Scope | 'anonymous';

export type AuthOptions =
  | {
      /** Every request is allowed without a token. Must be asked for explicitly. */
      anonymous: true;
      /**
       * Also require the Host header (and the Origin header, when a browser sends one) to be
       * loopback: guards an anonymous local server against DNS rebinding and cross-site requests.
       */
      loopbackOnly?: boolean;
    }
  | {
      anonymous?: false;
      /** Tokens allowed everything. */
      adminTokens?: readonly string[];
      /** Tokens allowed the GET routes only. */
      readTokens?: readonly string[];
    };

/** Decides the scope of a request and returns what it was granted; throws a 401/403 HttpError when it is not allowed. */
export type Authorizer = (request: Request, needed: Scope, queryCode: () => string | undefined) => Promise<Granted>;

const encoder = new TextEncoder();
const sha256 = async (text: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));

/** Equal-length digests compared without an early exit. */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}

/** Verified tokens remembered; only configured tokens can be in it, so it is small. */
const MAX_VERIFIED = 64;

/** Host names of the loopback interface, as a URL or a bind address spells them. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Bearer-token auth from an admin and a read-only token (either may be absent), or undefined when there is neither. */
export function tokenAuth(adminToken: string | undefined, readToken: string | undefined): { adminTokens: string[]; readTokens: string[] } | undefined {
  const adminTokens = adminToken ? [adminToken] : [];
  const readTokens = readToken ? [readToken] : [];
  return adminTokens.length + readTokens.length > 0 ? { adminTokens, readTokens } : undefined;
}

/** True for an origin such as `http://localhost:3000` or `http://[::1]:8080` (never for `null` or a non-URL). */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function unauthorized(message: string, invalidToken: boolean): HttpError {
  return new HttpError(401, 'Unauthorized', message, {
    'WWW-Authenticate': invalidToken ? 'Bearer realm="durabletask", error="invalid_token"' : 'Bearer realm="durabletask"',
  });
}

/** The presented token, or undefined; a non-Bearer Authorization header is an error. */
export function presentedToken(request: Request, queryCode: () => string | undefined): string | undefined {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match) throw unauthorized("The Authorization header must be 'Bearer <token>'.", true);
    return match[1];
  }
  return request.headers.get('x-functions-key') ?? queryCode();
}

export function createAuthorizer(options: AuthOptions): Authorizer {
  if (options.anonymous === true) {
    if (!options.loopbackOnly) return async () => 'anonymous';
    return async (request) => {
      const host = new URL(request.url).hostname;
      if (!LOOPBACK_HOSTS.has(host)) {
        throw new HttpError(403, 'Forbidden', `Anonymous access is allowed on loopback only; the Host is '${host}'. Configure a token to serve other hosts.`);
      }
      // An opaque origin ('null': sandboxed iframes, file: pages) is any site: refused like one.
      const origin = request.headers.get('origin');
      if (origin !== null && !isLoopbackOrigin(origin)) {
        throw new HttpError(403, 'Forbidden', `Cross-site requests from '${origin}' are refused by an anonymous server.`);
      }
      return 'anonymous';
    };
  }
  const admin = options.adminTokens ?? [];
  const read = options.readTokens ?? [];
  if (admin.length + read.length === 0) {
    throw new TypeError('auth: configure adminTokens and/or readTokens, or pass { anonymous: true } explicitly.');
  }
  for (const t of [...admin, ...read]) if (typeof t !== 'string' || t.length === 0) throw new TypeError('auth: tokens must be non-empty strings.');
  const digests = Promise.all([...admin, ...read].map(sha256)).then((all) =>
    all.map((digest, i) => ({ digest, scope: (i < admin.length ? 'admin' : 'read') as Scope })),
  );
  const verified = new Map<string, Scope>();

  const scopeOf = async (token: string): Promise<Scope | undefined> => {
    const known = verified.get(token);
    if (known) return known;
    const presented = await sha256(token);
    let granted: Scope | undefined;
    // Every digest is compared, whatever matched first.
    for (const { digest, scope } of await digests) {
      if (digestsEqual(presented, digest) && granted !== 'admin') granted = scope;
    }
    if (granted) {
      if (verified.size >= MAX_VERIFIED) verified.clear();
      verified.set(token, granted);
    }
    return granted;
  };

  return async (request, needed, queryCode) => {
    const token = presentedToken(request, queryCode);
    if (token === undefined) throw unauthorized('A token is required: send Authorization: Bearer <token>.', false);
    const granted = await scopeOf(token);
    if (granted === undefined) throw unauthorized('The token is not valid.', true);
    if (needed === 'admin' && granted !== 'admin')
      throw new HttpError(403, 'Forbidden', "This operation needs the 'admin' scope; the token presented has only the 'read' scope. Use an admin token.");
    return granted;
  };
}
