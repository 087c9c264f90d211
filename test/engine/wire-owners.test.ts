/**
 * The HTTP wire has one owner, core/wire/: the CLI and the VS Code extension use it and
 * declare none of it themselves. Each rule below finds a kind of copy in their sources.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = new URL('../../', import.meta.url).pathname;
const STATUS = `['"](?:Pending|Running|Completed|ContinuedAsNew|Failed|Terminated|Suspended)['"]`;

/** Rule name -> a pattern that matches a copy of that part of the wire (in code, comments left out). */
const RULES: Readonly<Record<string, RegExp>> = {
  'the webhook path': /runtime\\?\/webhooks\\?\/durabletask/,
  'the continuation header': /x-ms-continuation-token/i,
  'a list of runtime statuses': new RegExp(`\\[\\s*${STATUS}(\\s*,\\s*${STATUS})*\\s*,?\\s*\\]`),
  // A named ID limit, or a length compared with a number as large as an ID limit (short ones check dates).
  'an instance ID length limit': /\b\w*ID\w*LENGTH\w*\s*=\s*\d|\.length\s*>=?\s*(?:[5-9]\d|\d{3,})\b/i,
  'a fetch call': /\bfetch\s*\(/,
  'a route string': /['"`]\/?(?:instances|orchestrators|taskhubs)(?:\/|['"`])|\/raiseEvent\//,
  'a bearer header': /Bearer \$\{/,
};

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|js|mjs)$/.test(p) ? [p] : [];
  });

const code = (file: string): string => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, '$1');

/** `rule: file` for every copy found under the given folders. */
function wireCopies(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) =>
    files(dir).flatMap((file) => {
      const text = code(file);
      return Object.entries(RULES)
        .filter(([, pattern]) => pattern.test(text))
        .map(([rule]) => `${rule}: ${file.slice(dir.length)}`);
    }),
  );
}

describe('the wire has one owner', () => {
  it('the CLI and the extension declare no part of it themselves', () => {
    const dirs = [join(repo, 'cli'), join(repo, 'vscode-extension/src')];
    expect(dirs.flatMap(files).length).toBeGreaterThan(30);
    expect(wireCopies(dirs)).toEqual([]);
  });

  it('finds each kind of copy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-owners-'));
    try {
      const copies: Record<string, string> = {
        'the webhook path': "export const API_BASE_PATH = '/runtime/webhooks/durabletask';",
        'the continuation header': "const CONTINUATION_HEADER = 'x-ms-continuation-token';",
        'a list of runtime statuses': "const ACTIVE: RuntimeStatus[] = ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'];",
        'an instance ID length limit': "if (value.length > 256) return 'Instance IDs are limited to 256 characters.';",
        'a fetch call': 'const response = await fetch(url, { method });',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the copy the rule must find is source text.
        'a route string': 'const route = `instances/${encodeURIComponent(id)}/raiseEvent/${name}`;',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the copy the rule must find is source text.
        'a bearer header': 'headers.Authorization = `Bearer ${token}`;',
      };
      for (const [rule, text] of Object.entries(copies)) writeFileSync(join(dir, `${rule.replace(/ /g, '-')}.ts`), `${text}\n`);
      writeFileSync(join(dir, 'clean.ts'), "// runtime/webhooks/durabletask in a comment is no copy\nimport { WEBHOOK_PATH } from '../core/wire/routes.js';\n");
      const found = wireCopies([dir]);
      for (const rule of Object.keys(RULES)) expect(found).toContain(`${rule}: /${rule.replace(/ /g, '-')}.ts`);
      expect(found.filter((f) => f.endsWith('/clean.ts'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
