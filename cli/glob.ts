/**
 * File globs for `durable serve --durable-functions` (Node 20 has no fs.glob): `*` and `?`
 * within a path segment, `**` for any number of directories. `node_modules` and dot
 * directories are not searched. A path without wildcards is taken as it is.
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

const WILDCARD = /[*?]/;

function segmentPattern(segment: string): RegExp {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function walk(dir: string, segments: readonly string[], found: string[]): void {
  if (segments.length === 0) {
    found.push(dir);
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '**') {
    walk(dir, rest, found);
    for (const entry of entries(dir)) if (entry.isDirectory() && searchable(entry.name)) walk(join(dir, entry.name), segments, found);
    return;
  }
  if (!WILDCARD.test(head)) {
    const next = join(dir, head);
    if (rest.length === 0 ? isFile(next) : isDirectory(next)) walk(next, rest, found);
    return;
  }
  const pattern = segmentPattern(head);
  for (const entry of entries(dir)) {
    if (!pattern.test(entry.name) || (entry.name.startsWith('.') && !head.startsWith('.'))) continue;
    const next = join(dir, entry.name);
    if (rest.length === 0 ? entry.isFile() : entry.isDirectory() && searchable(entry.name)) walk(next, rest, found);
  }
}

const searchable = (name: string) => name !== 'node_modules' && !name.startsWith('.');
const entries = (dir: string) => {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
};
const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() === true;
const isDirectory = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;

/** The files `pattern` names, absolute and sorted; relative patterns are taken from `cwd`. */
export function expandGlob(pattern: string, cwd: string): string[] {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  if (!WILDCARD.test(pattern)) return isFile(absolute) ? [absolute] : [];
  const parts = absolute.split(sep);
  const firstWild = parts.findIndex((p) => WILDCARD.test(p));
  const base = parts.slice(0, firstWild).join(sep) || sep;
  const found: string[] = [];
  walk(base, parts.slice(firstWild), found);
  return [...new Set(found)].sort();
}
