export interface BatcherOptions {
  /** At most this many items go into one call of `run`. */
  maxBatch?: number;
  /** At most this many calls of `run` are in flight; further items queue and go together in the next call. */
  maxConcurrent?: number;
}

export interface BatcherConfig<I, O> extends BatcherOptions {
  /**
   * Runs one item alone. When given, a failed call of `run` with several items is retried item by item with it, so
   * an item that cannot be processed fails only its own caller.
   */
  single?: (item: I) => Promise<O>;
  /** Whether a failed call may be retried item by item (e.g. only when the failure certainly changed nothing). */
  retryable?: (error: unknown) => boolean;
}

/**
 * Natural batching for one kind of database round trip on the request path: items submitted during one turn of the
 * event loop go out together, and while `maxConcurrent` calls are in flight new items queue up and are sent together
 * when one returns. An idle service adds no delay beyond that turn (setImmediate); a busy one makes one round trip
 * for many requests instead of one each.
 *
 * `run` receives the items and returns one result per item, in order. If it throws, every item of that call fails
 * with the error, unless `single` is given (then each item is retried alone).
 */
export class Batcher<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxConcurrent: number;
  /** Calls of `run` so far (tests and metrics). */
  calls = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly opts: BatcherConfig<I, O> = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 200);
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 2);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxConcurrent) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.queue.length && this.inFlight < this.maxConcurrent) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.calls++;
      let outputs: Promise<O[]>;
      try {
        outputs = this.run(batch.map((b) => b.item));
      } catch (e) {
        outputs = Promise.reject(e);
      }
      outputs
        .then((results): void => {
          if (results.length !== batch.length)
            throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
          batch.forEach((b, i) => b.resolve(results[i]));
        })
        .catch(async (e) => {
          const { single, retryable } = this.opts;
          if (!single || batch.length === 1 || (retryable && !retryable(e))) return batch.forEach((b) => b.reject(e));
          await Promise.all(batch.map((b) => Promise.resolve(b.item).then(single).then(b.resolve, b.reject)));
        })
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}
