import type { BuildResult } from 'esbuild';
import type { Miniflare, SharedOptions, WorkerOptions } from 'miniflare';

export const COMPATIBILITY_DATE: string;
/** `alias`: import specifiers mapped to files, as a consumer's bundler resolves a package. */
export interface BundleOptions {
  minify?: boolean;
  metafile?: boolean;
  alias?: Record<string, string>;
}
export function bundleForWorkerd(entry: string, options?: BundleOptions): Promise<BuildResult<{ write: false; metafile: true }>>;
/** Miniflare's options but the Worker's code, which the bundle is. */
export type WorkerdOptions = Omit<SharedOptions & WorkerOptions, 'script' | 'scriptPath' | 'modules'>;
export function startMiniflare(entry: string, options: WorkerdOptions, bundling?: Pick<BundleOptions, 'alias'>): Promise<Miniflare>;
