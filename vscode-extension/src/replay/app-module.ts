/**
 * Which module of the workspace is the app `durable replay` loads: the files that register orchestrations
 * (`.orchestration(`), the ones that export the app first. Pure: the caller reads the files.
 */

/** Files worth reading: sources that can register an orchestration, outside dependencies and build output. */
export const APP_MODULE_GLOB = '**/*.{ts,mts,cts,js,mjs,cjs}';
export const APP_MODULE_EXCLUDE = '{**/node_modules/**,**/dist/**,**/.git/**,**/*.d.ts,**/*.test.*,**/*.spec.*}';

export interface AppModuleCandidate {
  /** Workspace-relative path with forward slashes. */
  path: string;
  /** How many `.orchestration(` registrations the file holds. */
  registrations: number;
  /** The file exports something `durable` loads: a default export or an `app` export. */
  exportsApp: boolean;
}

const REGISTRATION = /\.orchestration\(\s*['"`]/g;
const APP_EXPORT = /^\s*export\s+(?:default\b|(?:const|let|var|function\*?|class)\s+app\b|\{[^}]*\b(?:app|default)\b[^}]*\})/m;

/** The candidate this file is, or undefined when it registers no orchestration. */
export function appModuleCandidate(path: string, text: string): AppModuleCandidate | undefined {
  const registrations = text.match(REGISTRATION)?.length ?? 0;
  if (registrations === 0) return undefined;
  return { path, registrations, exportsApp: APP_EXPORT.test(text) };
}

/**
 * The candidates in the order to offer them: modules exporting the app first, then by registrations
 * (more first), then by path. A file that registers but exports no app is still offered (last): the app
 * may be re-exported elsewhere, and `durable` says precisely when it finds none.
 */
export function rankAppModules(candidates: readonly AppModuleCandidate[]): AppModuleCandidate[] {
  return [...candidates].sort((a, b) => Number(b.exportsApp) - Number(a.exportsApp) || b.registrations - a.registrations || a.path.localeCompare(b.path));
}

/**
 * The module to use without asking: the configured one, else the remembered pick when it is still a
 * candidate, else the only module exporting an app. Undefined means: ask (several) or give up (none).
 */
export function chooseAppModule(
  candidates: readonly AppModuleCandidate[],
  options: { configured?: string; remembered?: string } = {},
): { path: string; why: 'setting' | 'remembered' | 'only' } | undefined {
  if (options.configured?.trim()) return { path: options.configured.trim(), why: 'setting' };
  if (options.remembered && candidates.some((c) => c.path === options.remembered)) return { path: options.remembered, why: 'remembered' };
  const exporting = candidates.filter((c) => c.exportsApp);
  if (exporting.length === 1) return { path: exporting[0]!.path, why: 'only' };
  if (exporting.length === 0 && candidates.length === 1) return { path: candidates[0]!.path, why: 'only' };
  return undefined;
}
