/// <reference types="node" />
/**
 * The storage conformance suite (with the two-engine race and the schema upgrade) on the IndexedDB adapter inside
 * Debian's Chromium, driven by playwright-core. Each browser-side test becomes a test here.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENSURE_CHROMIUM, runInChromium } from './chromium.mjs';
import type { TestResult } from './vitest-shim.js';

execFileSync('bash', [ENSURE_CHROMIUM], { stdio: 'inherit' });
const { report, userAgent } = await runInChromium(fileURLToPath(new URL('./conformance.entry.ts', import.meta.url)));
const results = (report as { results: TestResult[] }).results;

describe(`in Chromium (${/Chrome\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent})`, () => {
  it('ran the conformance suite, the race and the upgrade', () => {
    expect(results.filter((r) => r.name.startsWith('storage conformance: indexeddb (Chromium)')).length).toBeGreaterThanOrEqual(21);
    expect(results.filter((r) => r.name.startsWith('two engines racing')).length).toBeGreaterThanOrEqual(5);
    expect(results.filter((r) => r.name.startsWith('schema upgrade from version 1')).length).toBeGreaterThanOrEqual(2);
  });
  for (const result of results) {
    it(result.name, () => {
      if (!result.ok) throw new Error(result.error);
    });
  }
});
