/**
 * Task hubs on Cloudflare Workers KV (or anything shaped like it): `KvStorage`.
 *
 * KV has no transactions and no compare-and-swap, allows one write per key per second,
 * and a read may return a value (or a cached miss) up to 60 s old. So this adapter keeps
 * the hub's state in the writer's memory and makes KV an append-only log of write-once
 * slots; it never rewrites a key in the data path, never reads back what it wrote, and
 * never uses `list()` except to name hubs.
 *
 * Key schema (`{p}` = the `prefix` option, ≤ 100 bytes; hub names are ≤ 50 ASCII
 * characters; instance IDs never appear in keys, so every key is < 200 bytes):
 *
 *   {p}hub/{hub}               marker, metadata `{ hub }`: written once, before the hub's first slot; `listTaskHubs` lists these
 *   {p}log/{hub}/head          `{ n, parts }`: the newest snapshot; rewritten once per snapshot (paced ≥ 1 s apart)
 *   {p}log/{hub}/{n}           slot n ≥ 1, `{ ops: LogOp[] }`: the changes of one group commit; written once
 *   {p}snap/{hub}/{n}/{i}      part i of the snapshot of the state after slot n; written once
 *
 * Slots and snapshots that a newer snapshot makes obsolete are deleted two staleness
 * windows later, so that a reader holding an old head still finds what it names.
 *
 * Guarantees on plain (eventually consistent) KV, with ONE writer per task hub — one
 * `KvStorage` object in one process does every write of the hub (its clients and its
 * engine `Worker` share that object):
 * - Every port invariant holds as for the memory store: commits are atomic (one slot)
 *   and version-checked in the writer's memory, which is authoritative; effects are
 *   recorded exactly once; messages and activities are delivered at least once.
 * - Durability: an operation resolves only after its slot is stored; reads and leases
 *   wait for earlier writes, so a crash never undoes what was shown or handed out.
 * - Handover: a new writer (after a crash or deploy) must start at least 60 s after the
 *   old one's last write (the KV staleness window), so that its recovery reads are fresh;
 *   it then rebuilds exactly the durable state. Leases, delivery counts and abandon
 *   delays are memory-only: after a handover all unfinished work is delivered again.
 * - Other processes must not use the hub, not even to read: route them to the writer.
 *
 * What a second writer breaks (there is no way to arbitrate on KV): both append to the
 * same slot numbers, so the later write replaces the earlier one and its operations are
 * lost, or the two histories interleave. It is detected where KV allows: a writer reads
 * each slot before writing it and refuses if it is taken, and KV's 429 for a second write
 * to a slot within a second is reported as a conflict; either way the writer stops
 * (`KvWriterConflictError`). Neither check sees a write that KV does not yet show (stale
 * or cached-miss reads), so detection is best effort, not a guarantee.
 *
 * For several writers (many Worker isolates, clients in other processes), use the Durable
 * Object store (`../durable-object/`): it is the recommended multi-writer deployment.
 * @module
 */
import { type Clock, systemClock } from '../../clock.js';
import { InvalidArgumentError } from '../../errors.js';
import { validateTaskHubName } from '../../limits.js';
import type { Storage, TaskHubStore } from '../port.js';
import { KvTaskHub } from './hub.js';
import { type HubKeys, HubLog } from './log.js';
import { type KvNamespaceLike, WritePacer } from './namespace.js';
import { applyOp } from './state.js';

export { KvWriterConflictError } from './log.js';
export { isRateLimited, KV_STALENESS_MS, KV_WRITE_GAP_MS, type KvListKey, type KvListResult, type KvNamespaceLike } from './namespace.js';

export interface KvStorageOptions {
  /** Prefix of every key, ≤ 100 bytes, so that several deployments can share a namespace. */
  prefix?: string;
  clock?: Clock;
  /** Snapshot after this many log slots. Default 256. */
  snapshotEvery?: number;
  /** Read each slot before writing it, to catch a second writer. Default true. */
  detectForeignWriters?: boolean;
  /** Largest slot or snapshot part in UTF-16 units. Default 8 Mi, a third of KV's 25 MiB. */
  maxValueChars?: number;
}

interface OpenHub {
  store: KvTaskHub;
  log?: Promise<HubLog>;
}

export class KvStorage implements Storage {
  private readonly hubs = new Map<string, OpenHub>();
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly pacer: WritePacer;

  constructor(
    private readonly kv: KvNamespaceLike,
    private readonly options: KvStorageOptions = {},
  ) {
    this.prefix = options.prefix ?? '';
    if (new TextEncoder().encode(this.prefix).length > 100) throw new InvalidArgumentError('The KV key prefix must be at most 100 bytes.');
    this.clock = options.clock ?? systemClock;
    this.pacer = new WritePacer(this.clock);
  }

  taskHub(name: string): TaskHubStore {
    return this.hub(name).store;
  }

  async listTaskHubs(): Promise<string[]> {
    const names = new Set(this.hubs.keys());
    const markers = `${this.prefix}hub/`;
    let cursor: string | undefined;
    do {
      const page = await this.kv.list({ prefix: markers, limit: 1000, cursor });
      for (const key of page.keys) names.add(key.name.slice(markers.length));
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    // A marker outlives a deleted hub; the hub's own state says whether it holds anything.
    const valid = [...names].filter((name) => {
      try {
        validateTaskHubName(name);
        return true;
      } catch {
        return false;
      }
    });
    const open = await Promise.all(valid.map(async (name) => ({ name, log: await this.open(name) })));
    return open
      .filter(({ log }) => !log.state.isEmpty)
      .map(({ name }) => name)
      .sort();
  }

  async deleteTaskHub(name: string): Promise<boolean> {
    const log = await this.open(name);
    await log.durable();
    if (log.state.isEmpty) return false;
    applyOp(log.state, { op: 'clear' });
    log.requestSnapshot();
    await log.append({ op: 'clear' });
    return true;
  }

  /** Waits until every change made through this object is durable. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.hubs.values()].map(async (h) => {
        if (h.log) await (await h.log).durable();
      }),
    );
  }

  private hub(name: string): OpenHub {
    validateTaskHubName(name);
    let hub = this.hubs.get(name);
    if (!hub) {
      const opened: OpenHub = { store: new KvTaskHub(name, () => this.open(name)) };
      this.hubs.set(name, (hub = opened));
    }
    return hub;
  }

  private open(name: string): Promise<HubLog> {
    const hub = this.hub(name);
    if (!hub.log) {
      hub.log = HubLog.open({
        kv: this.kv,
        keys: this.keys(name),
        clock: this.clock,
        pacer: this.pacer,
        snapshotEvery: this.options.snapshotEvery ?? 256,
        detectForeignWriters: this.options.detectForeignWriters ?? true,
        maxValueChars: this.options.maxValueChars ?? 8 * 1024 * 1024,
      });
      // A failed recovery (e.g. a network error) is retried by the next call.
      hub.log.catch(() => {
        hub.log = undefined;
      });
    }
    return hub.log;
  }

  private keys(hub: string): HubKeys {
    const p = this.prefix;
    return {
      marker: { key: `${p}hub/${hub}`, metadata: { hub } },
      head: `${p}log/${hub}/head`,
      slot: (n) => `${p}log/${hub}/${n}`,
      snapshotPart: (n, i) => `${p}snap/${hub}/${n}/${i}`,
    };
  }
}
