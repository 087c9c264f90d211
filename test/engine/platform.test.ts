/**
 * core/ runs in browsers and workerd: web-standard APIs only. It imports nothing but its own
 * files and its declared dependencies; platform code (Node, Cloudflare, the HTTP layer) lives
 * above it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = new URL('../../core/', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });

/** The packages core/ may import (package.json dependencies that run on every platform), and their subpaths. */
const ALLOWED_PACKAGES = ['idb', '@noble/hashes'];

const isAllowed = (specifier: string) =>
  specifier.startsWith('./') || specifier.startsWith('../') || ALLOWED_PACKAGES.some((p) => specifier === p || specifier.startsWith(`${p}/`));

/**
 * The module specifiers of `source` that core/ may not use: static imports and re-exports,
 * `import()`, `require`, `import x = require`, module augmentations and `/// <reference types>`.
 * TypeScript's own scanner finds them, so that comments and strings are not mistaken for imports.
 */
function forbiddenImports(source: string): string[] {
  const { importedFiles, typeReferenceDirectives } = ts.preProcessFile(source, true, true);
  return [...importedFiles, ...typeReferenceDirectives].map((f) => f.fileName).filter((s) => !isAllowed(s));
}

describe('the import rule', () => {
  it('refuses platform modules and undeclared packages in every import form', () => {
    expect(forbiddenImports("import { DurableObject } from 'cloudflare:workers';")).toEqual(['cloudflare:workers']);
    expect(forbiddenImports("import { Hono } from 'hono';")).toEqual(['hono']);
    expect(forbiddenImports("import type { Context } from 'hono';")).toEqual(['hono']);
    expect(forbiddenImports("export { serve } from '@hono/node-server';")).toEqual(['@hono/node-server']);
    expect(forbiddenImports("export * from 'node:fs';")).toEqual(['node:fs']);
    expect(forbiddenImports("import 'fs';")).toEqual(['fs']);
    expect(forbiddenImports("const db = await import('better-sqlite3');")).toEqual(['better-sqlite3']);
    expect(forbiddenImports("const { join } = require('path');")).toEqual(['path']);
    expect(forbiddenImports("import crypto = require('crypto');")).toEqual(['crypto']);
    expect(forbiddenImports('/// <reference types="node" />\nexport {};')).toEqual(['node']);
    expect(forbiddenImports("export {};\ndeclare module 'cloudflare:workers' { export const env: unknown; }")).toEqual(['cloudflare:workers']);
  });

  it('allows relative imports and the declared dependencies with their subpaths', () => {
    expect(
      forbiddenImports(
        [
          "import { openDB } from 'idb';",
          "import { sha256 } from '@noble/hashes/sha2.js';",
          "import { md5 } from '@noble/hashes/legacy.js';",
          "export * from '@noble/hashes';",
          "import { Worker } from './worker.js';",
          "export type { Storage } from '../store/port.js';",
          "const lazy = () => import('./simulator/index.js');",
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('does not take a package whose name only starts like a declared one for it', () => {
    expect(forbiddenImports("import x from 'idb-keyval'; import y from '@noble/hashes-extra';")).toEqual(['idb-keyval', '@noble/hashes-extra']);
  });

  it('ignores imports in comments and strings', () => {
    expect(forbiddenImports("// import x from 'hono';\n/* import 'cloudflare:workers' */\nconst s = \"import y from 'node:fs'\";")).toEqual([]);
  });
});

describe('core is platform-neutral', () => {
  it('imports only relative paths and its declared dependencies', () => {
    const offenders = files(root).flatMap((f) => forbiddenImports(readFileSync(f, 'utf8')).map((s) => `${f.slice(root.length)}: ${s}`));
    expect(offenders).toEqual([]);
    expect(files(root).length).toBeGreaterThan(10);
  });

  it('uses no Node global (Buffer, process) and no require', () => {
    const offenders = files(root).filter((f) => {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      return /from\s+['"](node:|fs|path|os|crypto|child_process)['"]|\brequire\(\s*['"]|\bprocess\.|\bBuffer\b/.test(code);
    });
    expect(offenders).toEqual([]);
  });

  it('builds no HTTP Response: only the HTTP layer (edge-worker/) answers requests', () => {
    const builds = /\bnew\s+Response\s*\(|\bResponse\.(json|redirect|error)\s*\(/;
    expect(builds.test('return Response.json(body, { status: 202 });')).toBe(true);
    expect(builds.test('return new Response(null, { status: 204 });')).toBe(true);
    expect(builds.test('const response: Response = await fetch(url);')).toBe(false);
    const offenders = files(root).filter((f) => builds.test(readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(offenders).toEqual([]);
  });
});

/** The rooms of core/ and the rooms each may not import: the worker sits on the port, the executor below both, the wire beside them. */
const LAYERS: Record<string, string[]> = {
  'orchestration/': ['worker/', 'store/', 'client.ts', 'wire/', 'simulator/'],
  'store/': ['worker/', 'client.ts', 'wire/', 'simulator/'],
  'wire/': ['worker/', 'store/', 'client.ts', 'orchestration/', 'simulator/'],
  'worker/': ['client.ts', 'wire/', 'simulator/'],
};

describe('core is layered', () => {
  it('no room imports a room above it', () => {
    const offenders: string[] = [];
    for (const f of files(root)) {
      const own = f.slice(root.length);
      const room = Object.keys(LAYERS).find((r) => own.startsWith(r));
      if (!room) continue;
      for (const { fileName } of ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles) {
        const target = join(f, '..', fileName).slice(root.length);
        if (LAYERS[room]!.some((above) => target.startsWith(above))) offenders.push(`${own} -> ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
