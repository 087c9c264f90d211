/**
 * Where orchestrator code called into the context: the innermost stack frame outside this
 * package. Captured only while tracing a replay (to name the line of a divergence), never on
 * the hot path: formatting a stack costs more than a whole episode.
 * @module
 */

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** `at name (file:1:2)`, `at file:1:2` (V8) and `name@file:1:2` (SpiderMonkey, JavaScriptCore). */
const FRAME = /(?:^\s*at (?:.*?\()?|@)(.+?):(\d+):(\d+)\)?\s*$/;

function framesOf(stack: string | undefined): SourceLocation[] {
  const frames: SourceLocation[] = [];
  for (const text of (stack ?? '').split('\n')) {
    const m = FRAME.exec(text);
    if (m) frames.push({ file: m[1]!, line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

/** The folder whose files are this package's: `core/` in the sources, the bundle's folder when built. */
function ownRoot(file: string): string {
  const marker = file.lastIndexOf('/core/orchestration/');
  return marker >= 0 ? file.slice(0, marker + '/core/'.length) : file.slice(0, file.lastIndexOf('/') + 1);
}

let root: string | undefined;

const isRuntime = (file: string) => file.startsWith('node:') || file === '<anonymous>' || file === 'native';

/** The caller in user code, or undefined when the stack holds none (work the engine issues on the code's behalf). */
export function callerLocation(): SourceLocation | undefined {
  const limits = Error as { stackTraceLimit?: number };
  const saved = limits.stackTraceLimit;
  if (typeof saved === 'number') limits.stackTraceLimit = 64;
  const frames = framesOf(new Error().stack);
  if (typeof saved === 'number') limits.stackTraceLimit = saved;
  const [own] = frames;
  if (!own) return undefined;
  root ??= ownRoot(own.file);
  return frames.find((f) => !f.file.startsWith(root!) && !isRuntime(f.file));
}

/** `file:line:column`, with a `file://` URL shown as its path. */
export function formatLocation(at: SourceLocation): string {
  const file = at.file.startsWith('file://') ? decodeURIComponent(at.file.slice('file://'.length)) : at.file;
  return `${file}:${at.line}:${at.column}`;
}
