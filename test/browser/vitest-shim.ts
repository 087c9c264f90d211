/**
 * What `test/conformance/store.case.ts` takes from 'vitest', for a page in a real browser:
 * describe/it run in order by `run()`, and `expect` is Vitest's own (chai with @vitest/expect's
 * Jest matchers), so the assertions are exactly the ones Vitest makes in Node.
 * The browser bundles alias 'vitest' to this file.
 */

import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';
import * as chai from 'chai';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = Object.assign((value: unknown, message?: string) => chai.expect(value, message), chai.expect);

export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

const tests: { name: string; fn: () => unknown }[] = [];
const suites: string[] = [];

export function describe(name: string, body: () => void): void {
  suites.push(name);
  try {
    body();
  } finally {
    suites.pop();
  }
}

export function it(name: string, fn: () => unknown): void {
  tests.push({ name: [...suites, name].join(' > '), fn });
}
export const test = it;

/** Runs the registered tests one after another. */
export async function run(): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const { name, fn } of tests) {
    const start = performance.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: performance.now() - start });
    } catch (error) {
      results.push({
        name,
        ok: false,
        ms: performance.now() - start,
        error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error),
      });
    }
  }
  return results;
}
