/**
 * History bundles: one instance's status and history (and, optionally, its sub-orchestrations'),
 * as a self-contained JSON document to archive, attach to a bug report, or open in a viewer.
 * The format is documented in `docs/history-bundle.md`; `parseBundle` checks every field it
 * defines without a schema library, and refuses a newer major version.
 * @module
 */
import { BundleFormatError } from '../errors.js';
import type { HistoryRow, StatusPayload } from './payloads.js';
import { RUNTIME_STATUSES } from './status.js';

export { BundleFormatError };

export const BUNDLE_FORMAT = 'edge-durable/history-bundle';
/** The major version this build writes and the highest it reads; additive fields do not change it. */
export const BUNDLE_VERSION = 1;
export const BUNDLE_BACKENDS = ['sqlite', 'indexeddb', 'durable-object', 'memory', 'kv', 'http'] as const;
export type BundleBackend = (typeof BUNDLE_BACKENDS)[number];

/** Where the bundle was exported from. */
export interface BundleSource {
  taskHub: string;
  backend?: BundleBackend;
  /** The endpoint's origin, for a bundle exported over HTTP. */
  endpoint?: string;
}

/** One instance: the body of a bundle, and of each of its `children`. */
export interface InstanceBundle {
  /** ISO 8601. */
  exportedAt: string;
  source: BundleSource;
  /** The status payload as `GET instances/{id}?showInput=true` returns it (no `historyEvents`). */
  instance: StatusPayload;
  /** One row per stored event, oldest first, as `GET instances/{id}/history` returns them. */
  history: HistoryRow[];
  /** The sub-orchestrations' bundles, in the order the history created them. */
  children?: InstanceBundle[];
}

export interface HistoryBundle extends InstanceBundle {
  format: typeof BUNDLE_FORMAT;
  version: number;
}

/** A bundle of the current version from its parts; `children` only when given. */
export function createBundle(body: InstanceBundle): HistoryBundle {
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, ...instanceBundle(body) };
}

function instanceBundle(body: InstanceBundle): InstanceBundle {
  const { historyEvents: _, ...instance } = body.instance;
  const bundle: InstanceBundle = { exportedAt: body.exportedAt, source: { ...body.source }, instance, history: body.history };
  if (body.children) bundle.children = body.children.map(instanceBundle);
  return bundle;
}

/** What an export reads: an instance's status (undefined when missing) and its history rows. */
export interface BundleReader {
  status(instanceId: string): Promise<StatusPayload | undefined>;
  history(instanceId: string): Promise<HistoryRow[]>;
}

/**
 * Reads an instance (and with `children`, every sub-orchestration it created, depth first) into
 * a bundle. Throws `notFound(instanceId)` for a missing root; a child purged since is left out.
 */
export async function exportBundle(
  reader: BundleReader,
  instanceId: string,
  options: { source: BundleSource; exportedAt: string; children?: boolean; notFound: (instanceId: string) => Error },
): Promise<HistoryBundle> {
  const seen = new Set<string>();
  const read = async (id: string): Promise<InstanceBundle | undefined> => {
    seen.add(id);
    const instance = await reader.status(id);
    if (!instance) return undefined;
    const history = await reader.history(id);
    const bundle: InstanceBundle = { exportedAt: options.exportedAt, source: options.source, instance, history };
    if (options.children) {
      const children: InstanceBundle[] = [];
      for (const row of history) {
        const child = row.EventType === 'SubOrchestrationInstanceCreated' && typeof row.InstanceId === 'string' ? row.InstanceId : undefined;
        if (child === undefined || seen.has(child)) continue;
        const nested = await read(child);
        if (nested) children.push(nested);
      }
      bundle.children = children;
    }
    return bundle;
  };
  const root = await read(instanceId);
  if (!root) throw options.notFound(instanceId);
  return createBundle(root);
}

type Check = (value: unknown, at: string) => void;

const fail = (at: string, what: string) => new BundleFormatError(`The history bundle's '${at}' ${what}.`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const string: Check = (v, at) => {
  if (typeof v !== 'string') throw fail(at, v === undefined ? 'is missing' : 'must be a string');
};
const optionalString: Check = (v, at) => {
  if (v !== undefined) string(v, at);
};
const present: Check = (v, at) => {
  if (v === undefined) throw fail(at, 'is missing (null stands for no value)');
};
const oneOf =
  (values: readonly string[]): Check =>
  (v, at) => {
    string(v, at);
    if (!values.includes(v as string)) throw fail(at, `is '${String(v)}'; expected one of ${values.join(', ')}`);
  };
const object =
  (fields: Record<string, Check>): Check =>
  (v, at) => {
    if (!isObject(v)) throw fail(at, v === undefined ? 'is missing' : 'must be an object');
    for (const [name, check] of Object.entries(fields)) check(v[name], `${at}.${name}`);
  };
const array =
  (item: Check, optional = false): Check =>
  (v, at) => {
    if (v === undefined && optional) return;
    if (!Array.isArray(v)) throw fail(at, v === undefined ? 'is missing' : 'must be an array');
    for (const [i, element] of v.entries()) item(element, `${at}[${i}]`);
  };

const STATUS = object({
  name: string,
  instanceId: string,
  runtimeStatus: oneOf(RUNTIME_STATUSES),
  input: present,
  customStatus: present,
  output: present,
  createdTime: string,
  lastUpdatedTime: string,
});
const ROW = object({ EventType: string, Timestamp: string });
const SOURCE = object({ taskHub: string, backend: (v, at) => v === undefined || oneOf(BUNDLE_BACKENDS)(v, at), endpoint: optionalString });
const INSTANCE: Check = object({
  exportedAt: string,
  source: SOURCE,
  instance: STATUS,
  history: array(ROW),
  children: array((v, at) => INSTANCE(v, at), true),
});

/**
 * Reads a bundle, checking every field the format defines. Throws `BundleFormatError` naming
 * the problem: text that is not JSON, another format, a version newer than `BUNDLE_VERSION`
 * (written by a newer edge-durable), or the path of a missing or malformed field.
 */
export function parseBundle(text: string): HistoryBundle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BundleFormatError(`The history bundle is not JSON (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
  if (!isObject(value)) throw new BundleFormatError('The history bundle must be a JSON object.');
  if (value.format !== BUNDLE_FORMAT) {
    throw new BundleFormatError(
      value.format === undefined
        ? `The JSON has no 'format'; a history bundle has "format": "${BUNDLE_FORMAT}".`
        : `The JSON's format is '${String(value.format)}', not a history bundle ('${BUNDLE_FORMAT}').`,
    );
  }
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw fail('version', `must be a whole number from 1; got ${JSON.stringify(version)}`);
  if (version > BUNDLE_VERSION) {
    throw new BundleFormatError(
      `The history bundle has version ${version}, newer than this build reads (${BUNDLE_VERSION}): it was written by a newer edge-durable. Upgrade to read it.`,
    );
  }
  INSTANCE(value, 'bundle');
  return value as unknown as HistoryBundle;
}
