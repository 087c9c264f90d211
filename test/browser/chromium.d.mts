export const CHROMIUM: string;
export const CHROMIUM_ARGS: string[];
export const ENSURE_CHROMIUM: string;
export interface Served {
  /** The page's URL, without a query. */
  url: string;
  close(): Promise<void>;
}
export function servePage(entry: string, options?: { alias?: Record<string, string>; html?: string }): Promise<Served>;
export function launchChromium(): Promise<import('playwright-core').Browser>;
export function runInChromium(
  entry: string,
  options?: { timeoutMs?: number; onConsole?: (line: string) => void; hash?: string },
): Promise<{ report: any; userAgent: string }>;
