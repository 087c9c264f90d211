/**
 * Group commit: requests that arrive while a write is in flight are written together in
 * the next one. One write at a time per batcher; each request gets its own outcome.
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private draining = false;

  constructor(private readonly write: (items: I[]) => Promise<O[]>, private readonly maxBatch = 256) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) { this.draining = true; queueMicrotask(() => void this.drain()); }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const outcomes = await this.write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(outcomes[i]!));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.draining = false;
  }
}
