/**
 * Group commit: a request that finds no write in flight is written at once; requests that
 * arrive while a write is in flight are written together in the next one. One write at a
 * time per batcher; each request gets its own outcome.
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 256,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length) {
      const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
      this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
      try {
        const outcomes = await this.write(batch.map((b) => b.item));
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(outcomes[i]!);
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.writing = false;
  }
}

const first = <O>(outcomes: O[]): O => outcomes[0]!;

/**
 * How the worker writes one item: through a Batcher, or straight away for a store that asks for
 * it (`TaskHubStore.unbatchedWrites`): one that groups concurrent writes into shared transactions
 * itself, and pipelines them instead of waiting for one batch before the next, or one whose
 * writes cost too little to group.
 */
export function groupCommit<I, O>(store: { readonly unbatchedWrites?: boolean }, write: (items: I[]) => Promise<O[]>): (item: I) => Promise<O> {
  if (store.unbatchedWrites) return (item) => write([item]).then(first<O>);
  const batcher = new Batcher(write);
  return (item) => batcher.submit(item);
}
