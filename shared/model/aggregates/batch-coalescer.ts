/**
 * Lets a per-record stream handler (Powertools' BatchProcessor, which reports failures record by record)
 * do its work a batch at a time: each record's handler adds its item and waits; once the handlers
 * started together have all added (the same turn of the event loop, as BatchProcessor starts them in
 * parallel), the whole lot is processed at once and each waits for its own outcome.
 */
export class BatchCoalescer<T> {
  private pending: Array<{ item: T; settle: (error: Error | undefined) => void }> = [];
  private scheduled = false;

  constructor(private readonly process: (items: T[]) => Promise<Map<T, Error | undefined>>) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, settle: (error) => (error ? reject(error) : resolve()) });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after every handler started in this turn has added its item.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      const outcomes = await this.process(batch.map(({ item }) => item));
      for (const { item, settle } of batch) settle(outcomes.get(item));
    } catch (error) {
      for (const { settle } of batch) settle(error as Error);
    }
  }
}
