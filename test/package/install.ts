/**
 * The consumer-test harness: `npm pack` of this repository, installed into a fresh temporary
 * project from the registry, as a user installs it. No links into the checkout.
 *
 * The peers (better-sqlite3, @hono/node-server, tsx) and the consumer's type packages come
 * from the registry into a project kept under node_modules/.cache/, once per set of versions:
 * better-sqlite3 compiles its native module when no prebuilt binary can be downloaded, which
 * takes minutes. Each run copies that project's node_modules into a new temporary project and
 * installs the tarball there.
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** What a consumer installs next to the package: the peers, and types for its own tsc. */
const CONSUMER_DEPENDENCIES: Record<string, string> = {
  ...manifest.peerDependencies,
  '@types/node': manifest.devDependencies['@types/node']!,
  '@types/better-sqlite3': manifest.devDependencies['@types/better-sqlite3']!,
  '@cloudflare/workers-types': manifest.devDependencies['@cloudflare/workers-types']!,
};

export interface PackFile {
  path: string;
  size: number;
}

export interface InstalledPackage {
  /** The consumer project: package.json, node_modules with edge-durable and its peers. */
  dir: string;
  tarball: string;
  /** The tarball's size in bytes. */
  size: number;
  /** The files `npm pack` put in the tarball. */
  files: PackFile[];
}

const npm = (args: string[], cwd: string) =>
  run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });

async function peersProject(): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(CONSUMER_DEPENDENCIES)).digest('hex').slice(0, 12);
  const cache = join(ROOT, 'node_modules', '.cache', 'edge-durable-consumer');
  const dir = join(cache, key);
  if (existsSync(join(dir, 'ready'))) return dir;
  // Installed aside and renamed into place, so that test files installing at once never share a half-written project.
  mkdirSync(cache, { recursive: true });
  const building = mkdtempSync(join(cache, `${key}-`));
  writeFileSync(
    join(building, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: CONSUMER_DEPENDENCIES }, null, 2),
  );
  await npm(['install', '--no-audit', '--no-fund'], building);
  writeFileSync(join(building, 'ready'), '');
  try {
    renameSync(building, dir);
  } catch (error) {
    // Another run put its project in place first: use that one.
    if (!existsSync(join(dir, 'ready'))) throw error;
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

async function pack(into: string): Promise<Omit<InstalledPackage, 'dir'>> {
  await run(process.execPath, [join(ROOT, 'esbuild.config.mjs'), 'package'], { cwd: ROOT });
  // The package target was just built; the other targets of "prepare" are not part of the package.
  const { stdout } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', into], ROOT);
  const [info] = JSON.parse(stdout) as { filename: string; size: number; files: PackFile[] }[];
  return { tarball: join(into, info!.filename), size: info!.size, files: info!.files };
}

let installed: Promise<InstalledPackage> | undefined;

/** Packs and installs once per test run; later calls share the project. */
export function installPackage(): Promise<InstalledPackage> {
  installed ??= (async () => {
    const work = mkdtempSync(join(tmpdir(), 'edge-durable-consumer-'));
    const [packed, peers] = await Promise.all([pack(work), peersProject()]);
    const dir = join(work, 'project');
    mkdirSync(dir);
    cpSync(join(peers, 'package.json'), join(dir, 'package.json'));
    cpSync(join(peers, 'package-lock.json'), join(dir, 'package-lock.json'));
    cpSync(join(peers, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    await npm(['install', '--no-audit', '--no-fund', packed.tarball], dir);
    return { dir, ...packed };
  })();
  return installed;
}
