/** core/ runs in browsers and workerd: web-standard APIs only. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../core/', import.meta.url).pathname;
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
});

describe('core is platform-neutral', () => {
  it('imports no node:* module, Buffer or process', () => {
    const offenders = files(root).filter((f) => {
      const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      return /from\s+['"](node:|fs|path|os|crypto|child_process)['"]|\brequire\(\s*['"]|\bprocess\.|\bBuffer\b/.test(code);
    });
    expect(offenders).toEqual([]);
    expect(files(root).length).toBeGreaterThan(10);
  });
});
