/**
 * Optional peer dependencies (better-sqlite3, @hono/node-server, tsx) are imported on demand,
 * so that a browser or Worker consumer installs none of them. A missing one is reported by
 * name with the command that installs it.
 * @module
 */

export class MissingPeerError extends Error {
  override readonly name = 'MissingPeerError';
  readonly code = 'MissingPeer';
  constructor(
    readonly packageName: string,
    readonly neededBy: string,
    options?: ErrorOptions,
  ) {
    super(`${neededBy} needs the package '${packageName}': npm install ${packageName}`, options);
  }
}

/**
 * Runs `load` (a literal `import('<packageName>')`, so that bundlers and type checkers see the
 * specifier) and turns "package not found" for that package into a `MissingPeerError`. Any
 * other failure (a broken native build, a missing package of its own) is rethrown as it is.
 */
export async function importPeer<T>(packageName: string, neededBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPeerError(packageName, neededBy, { cause: error });
    throw error;
  }
}

function isMissing(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  // Node: "Cannot find package 'x' imported from ..."; a subpath import names 'x/sub'.
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && (message.includes(`'${packageName}'`) || message.includes(`'${packageName}/`));
}
