/** Finds where an orchestrator is registered: the `.orchestration('Name'` call in a source text. Pure. */

export const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';
export const SOURCE_EXCLUDE = '{**/node_modules/**,**/dist/**,**/.git/**}';

/** The 0-based line and column of the first `.orchestration('Name'` (any quote, spaces allowed), or undefined. */
export function findOrchestrationCall(text: string, name: string): { line: number; character: number } | undefined {
  const pattern = new RegExp(`\\.orchestration\\(\\s*(['"\`])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`);
  const match = pattern.exec(text);
  if (!match) return undefined;
  const before = text.slice(0, match.index + 1);
  const line = before.split('\n').length - 1;
  return { line, character: match.index + 1 - (before.lastIndexOf('\n') + 1) };
}
