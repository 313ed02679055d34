import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';

type Ingest = (values: ConversionCreatedV1.Value[], traceParents: ReadonlyMap<string, string>) => Promise<number>;

interface Part {
  values: ConversionCreatedV1.Value[];
  traceParents: ReadonlyMap<string, string>;
  resolve: (created: number) => void;
  reject: (e: unknown) => void;
}

/**
 * One ledger transaction for the conversions of every partition handled at the same time. The ledger consumer handles
 * the partitions of one fetch concurrently, and each ingest takes its account's targeting lock, so one transaction
 * per partition ran one after the other: with six partitions a conversion waited for up to six transactions before
 * the next fetch. Here the parts submitted while a transaction runs go together into the next one (at most
 * `maxValues` conversions, never splitting a part), so a fetch costs about one transaction.
 *
 * `submit` resolves once its part is committed (with the transaction's count of ledger rows created, for "the sender
 * should look"); if the transaction fails, every part in it fails, and their partitions are read again.
 */
export class IngestCoalescer {
  private queue: Part[] = [];
  private running = false;
  /** Transactions so far (tests). */
  transactions = 0;

  constructor(
    private readonly ingest: Ingest,
    private readonly maxValues: number,
  ) {}

  submit(values: ConversionCreatedV1.Value[], traceParents: ReadonlyMap<string, string>): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ values, traceParents, resolve, reject });
      if (!this.running) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.running = true;
    // Let the other partitions of the same fetch submit their parts first.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      const take: Part[] = [];
      let n = 0;
      while (this.queue.length && (!take.length || n + this.queue[0]!.values.length <= this.maxValues)) {
        const part = this.queue.shift()!;
        take.push(part);
        n += part.values.length;
      }
      const traceParents = new Map<string, string>();
      for (const p of take) for (const [k, v] of p.traceParents) traceParents.set(k, v);
      try {
        this.transactions++;
        const created = await this.ingest(
          take.flatMap((p) => p.values),
          traceParents,
        );
        for (const p of take) p.resolve(created);
      } catch (e) {
        for (const p of take) p.reject(e);
      }
    }
    this.running = false;
  }
}
