/**
 * Azure Functions route templates (ASP.NET routing, under the `api/` prefix) compiled to a
 * matcher: literal segments (matched case-insensitively, as ASP.NET does), `{name}`,
 * `{name?}` (optional, trailing), `{name:int}` and the other type constraints below (also
 * `{name:int?}`), and a trailing catch-all `{*name}`. Anything else (regex, length and range
 * constraints, defaults, several parameters or text and a parameter in one segment) is
 * refused at registration with the reason, rather than matched differently from Azure.
 * @module
 */
import { InvalidArgumentError } from '../../core/errors.js';

/** The type constraints expressible as a pattern over one path segment. */
const CONSTRAINTS: Readonly<Record<string, RegExp>> = {
  int: /^-?\d+$/,
  long: /^-?\d+$/,
  alpha: /^[A-Za-z]+$/,
  bool: /^(true|false)$/i,
  guid: /^\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\}?$/,
  double: /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/,
  float: /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/,
  decimal: /^-?(\d+\.?\d*|\.\d+)$/,
};

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string; optional: boolean; constraint?: RegExp } | { kind: 'catchAll'; name: string };

export interface CompiledRoute {
  readonly template: string;
  /** ASP.NET's order among routes that match the same path: per segment, text before a constrained parameter, before a parameter, before an optional one, before a catch-all. */
  readonly precedence: readonly number[];
  /** The route's parameters, or undefined when the path (after `api/`) does not match. */
  match(path: string): Record<string, string> | undefined;
}

const PARAM = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?(\?)?\}$/;

function parseSegment(text: string, fail: (why: string) => never): Segment {
  if (!text.includes('{') && !text.includes('}')) return { kind: 'literal', text: text.toLowerCase() };
  const m = PARAM.exec(text);
  if (!m) {
    if (/^\{[^{}]*\}$/.test(text))
      fail(`the parameter '${text}' uses a constraint or default that is not supported (supported: ${Object.keys(CONSTRAINTS).join(', ')}, and '?')`);
    fail(`the segment '${text}' mixes text and parameters, or holds several; a segment is either text or one parameter`);
  }
  const [, star, name, constraint, optional] = m;
  if (star) {
    if (constraint || optional) fail(`the catch-all '${text}' takes no constraint or '?'`);
    return { kind: 'catchAll', name: name! };
  }
  if (constraint !== undefined && !CONSTRAINTS[constraint.toLowerCase()]) {
    fail(`the constraint ':${constraint}' of '{${name}}' is not supported (supported: ${Object.keys(CONSTRAINTS).join(', ')})`);
  }
  return { kind: 'param', name: name!, optional: optional === '?', constraint: constraint === undefined ? undefined : CONSTRAINTS[constraint.toLowerCase()] };
}

/** Compiles a route template; `registration` (e.g. `app.http("start")`) names it in errors. */
export function compileRoute(template: string, registration: string): CompiledRoute {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`${registration}: the route template '${template}' cannot be served: ${why}.`);
  };
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((s) => (s === '' ? fail('it has an empty segment (//)') : parseSegment(s, fail)));
  const names = new Set<string>();
  segments.forEach((segment, i) => {
    if (segment.kind === 'literal') return;
    if (names.has(segment.name.toLowerCase())) fail(`the parameter '${segment.name}' appears twice`);
    names.add(segment.name.toLowerCase());
    const rest = segments.slice(i + 1);
    if (segment.kind === 'catchAll' && rest.length > 0) fail(`the catch-all '{*${segment.name}}' must be the last segment`);
    if (segment.kind === 'param' && segment.optional && rest.some((s) => s.kind !== 'param' || !s.optional)) {
      fail(`the optional parameter '{${segment.name}?}' may be followed only by optional parameters`);
    }
  });
  const rank = (s: Segment) => (s.kind === 'literal' ? 0 : s.kind === 'catchAll' ? 4 : s.optional ? 3 : s.constraint ? 1 : 2);
  return {
    template,
    precedence: segments.map(rank),
    match(path) {
      const parts = path.replace(/^\/+|\/+$/g, '');
      const values = parts === '' ? [] : parts.split('/');
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i]!;
        if (segment.kind === 'catchAll') {
          if (i < values.length) params[segment.name] = values.slice(i).map(decode).join('/');
          return params;
        }
        const value = values[i];
        if (value === undefined) {
          if (segment.kind === 'param' && segment.optional) continue;
          return undefined;
        }
        const decoded = decode(value);
        if (segment.kind === 'literal') {
          if (decoded.toLowerCase() !== segment.text) return undefined;
        } else {
          if (segment.constraint && !segment.constraint.test(decoded)) return undefined;
          params[segment.name] = decoded;
        }
      }
      return values.length <= segments.length ? params : undefined;
    },
  };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Sorts routes by precedence (the more specific first); equal ones keep their registration order. */
export function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.max(a.precedence.length, b.precedence.length); i++) {
    const d = (a.precedence[i] ?? -1) - (b.precedence[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
