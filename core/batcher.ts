/**
 * Group commit: a request that finds a free write slot is written at once; requests that
 * arrive while every slot is busy are written together in the next free one. Each request
 * gets its own outcome. Two slots by default, so that a store that commits asynchronously
 * (IndexedDB) prepares the next batch while the previous one commits; requests in different
 * batches must not depend on each other (the worker's never do: one episode per instance at a
 * time, and each completion stands alone).
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private writing = 0;

  constructor(private readonly write: (items: I[]) => Promise<O[]>, private readonly maxBatch = 256, private readonly slots = 2) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.writing < this.slots) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing++;
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
    this.writing--;
  }
}
