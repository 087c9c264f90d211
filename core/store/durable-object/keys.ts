/**
 * Key schema of one task hub inside its Durable Object (`{p}` = an optional prefix).
 * Times are epoch ms padded to 15 digits and sequence numbers to 12, so that key order is
 * time order; created times are the records' ISO 8601 strings, which sort as time.
 * Instance IDs cannot contain `/`, so `/` separates safely.
 *
 *   {p}meta                          { seq }: the arrival counter (FIFO among equal times)
 *   {p}counts                        { [status]: n }: how many keys each is/{status}/ range holds (see counts.ts)
 *   {p}i/{id}                        { r: InstanceRecord, h: number of history events }
 *   {p}h/{id}/{n:8}                  history event n of the current execution
 *   {p}ic/{createdTime}/{id}         ''  index: all instances by creation time
 *   {p}is/{status}/{createdTime}/{id} '' index: instances by runtime status, then creation time
 *   {p}q/{id}                        { n: queued messages, at?: the r/ entry's time, lock?: Lease }
 *   {p}m/{id}/{messageId}            { message, at, seq }: a queued message
 *   {p}r/{time:15}/{id}              ''  due index: the instance may be leasable from `time` (never later than it really is)
 *   {p}a/{itemId}                    { item, at, seq, deliveries, token?, expiresAt? }: a queued activity
 *   {p}ai/{id}/{itemId}              ''  the instance's activities (for purge)
 *   {p}ar/{time:15}/{seq:12}/{itemId} '' due index: `at`, or `expiresAt` while leased
 *
 * A partition of a partitioned hub also has (see `outbox.ts`):
 *   {p}o/{partition:4}/{seq:12}      Transfer: a message or a new instance for another partition, until it acknowledges it
 *   {p}oe                            { epoch }: names this partition's run of sequence numbers (a cleared hub starts a new one)
 *   {p}w/{partition:4}               { epoch, seq }: the last transfer taken in from that partition
 * @module
 */

const pad = (n: number, width: number) => String(Math.max(0, Math.floor(n))).padStart(width, '0');

export function hubKeys(p = '') {
  return {
    meta: `${p}meta`,
    counts: `${p}counts`,
    instance: (id: string) => `${p}i/${id}`,
    instances: `${p}i/`,
    history: (id: string, n: number) => `${p}h/${id}/${pad(n, 8)}`,
    histories: (id: string) => `${p}h/${id}/`,
    created: `${p}ic/`,
    createdKey: (createdTime: string, id: string) => `${p}ic/${createdTime}/${id}`,
    status: (status: string) => `${p}is/${status}/`,
    statusKey: (status: string, createdTime: string, id: string) => `${p}is/${status}/${createdTime}/${id}`,
    queue: (id: string) => `${p}q/${id}`,
    queues: `${p}q/`,
    message: (id: string, messageId: string) => `${p}m/${id}/${messageId}`,
    messages: (id: string) => `${p}m/${id}/`,
    due: `${p}r/`,
    dueKey: (time: number, id: string) => `${p}r/${pad(time, 15)}/${id}`,
    dueUntil: (time: number) => `${p}r/${pad(time, 15)}`,
    activity: (itemId: string) => `${p}a/${itemId}`,
    activities: `${p}a/`,
    instanceActivity: (id: string, itemId: string) => `${p}ai/${id}/${itemId}`,
    instanceActivities: (id: string) => `${p}ai/${id}/`,
    activityDue: `${p}ar/`,
    activityDueKey: (time: number, seq: number, itemId: string) => `${p}ar/${pad(time, 15)}/${pad(seq, 12)}/${itemId}`,
    activityDueUntil: (time: number) => `${p}ar/${pad(time, 15)}`,
    outbox: `${p}o/`,
    outboxTo: (partition: number) => `${p}o/${pad(partition, 4)}/`,
    outboxKey: (partition: number, seq: number) => `${p}o/${pad(partition, 4)}/${pad(seq, 12)}`,
    outboxEpoch: `${p}oe`,
    watermark: (partition: number) => `${p}w/${pad(partition, 4)}`,
  };
}

export type HubKeys = ReturnType<typeof hubKeys>;

/** The time in a due-index key (`r/{time}/…` or `ar/{time}/…`). */
export function dueTime(key: string, base: string): number {
  return Number(key.slice(base.length, base.length + 15));
}

/** The last segment after `base/{time}/`: an instance ID for `r/` keys. */
export function dueInstance(key: string, base: string): string {
  return key.slice(base.length + 16);
}

/** The range `[start, end)` of index keys `{base}{createdTime}/{id}` with createdTime in [from, to]. */
export function createdRange(base: string, from?: string, to?: string): { start: string; end: string } {
  // '0' sorts right after '/', so `{to}0` bounds every key whose time is exactly `to`.
  return { start: from ? `${base}${from}` : base, end: to ? `${base}${to}0` : `${base}\uffff` };
}
