export const CHROMIUM: string;
export const CHROMIUM_ARGS: string[];
export const ENSURE_CHROMIUM: string;
export function runInChromium(
  entry: string,
  options?: { timeoutMs?: number; onConsole?: (line: string) => void; hash?: string },
): Promise<{ report: any; userAgent: string }>;
