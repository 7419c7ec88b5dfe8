/** A counting semaphore: at most `limit` holders at once, released in FIFO order of the waiters. */
export class Semaphore {
  private active = 0;
  private waiters: (() => void)[] = [];
  constructor(readonly limit: number) {}

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Waits for a slot; returns its release (calling it twice releases once). Rejects if `signal` is already aborted. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    while (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        this.waiters.push(resolve);
      });
    }
    this.active++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      this.waiters.shift()?.();
    };
  }
}
