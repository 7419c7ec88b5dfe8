/**
 * Politeness primitives: a per-host limiter that allows at most N requests in flight to a host and
 * spaces request starts to a host by a minimum delay. (The global limit is pipeline/semaphore.ts.)
 */
import { sleep } from '../../pipeline/sleep.js';

interface HostState {
  active: number;
  nextStart: number;
  waiters: (() => void)[];
}

export class HostLimiter {
  private hosts = new Map<string, HostState>();
  constructor(readonly perHost: number) {}

  /** Waits for a slot on `host` and for `delayMs` since the previous start there; returns the release. */
  async acquire(host: string, delayMs: number, signal?: AbortSignal): Promise<() => void> {
    let h = this.hosts.get(host);
    if (!h) {
      h = { active: 0, nextStart: 0, waiters: [] };
      this.hosts.set(host, h);
    }
    const state = h;
    for (;;) {
      if (state.active >= this.perHost) {
        await new Promise<void>((resolve, reject) => {
          if (signal?.aborted) return reject(signal.reason);
          state.waiters.push(resolve);
        });
        continue;
      }
      const wait = state.nextStart - Date.now();
      if (wait > 0) {
        await sleep(wait, signal);
        continue;
      }
      break;
    }
    state.active++;
    state.nextStart = Date.now() + delayMs;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      state.active--;
      state.waiters.shift()?.();
      if (state.active === 0 && !state.waiters.length && state.nextStart < Date.now()) this.hosts.delete(host);
    };
  }
}
