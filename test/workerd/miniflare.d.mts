import type { BuildResult } from 'esbuild';
import type { Miniflare, SharedOptions, WorkerOptions } from 'miniflare';

export const COMPATIBILITY_DATE: string;
export function bundleForWorkerd(entry: string, options?: { minify?: boolean; metafile?: boolean }): Promise<BuildResult<{ write: false; metafile: true }>>;
/** Miniflare's options but the Worker's code, which the bundle is. */
export type WorkerdOptions = Omit<SharedOptions & WorkerOptions, 'script' | 'scriptPath' | 'modules'>;
export function startMiniflare(entry: string, options: WorkerdOptions): Promise<Miniflare>;
