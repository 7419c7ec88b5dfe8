import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';
import { sleep } from './sleep.js';

describe('Semaphore', () => {
  it('admits at most `limit` holders and hands slots to waiters in order', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    let peak = 0;
    await Promise.all([0, 1, 2, 3, 4].map(async (i) => {
      const release = await s.acquire();
      order.push(i);
      peak = Math.max(peak, s.inUse);
      await sleep(5);
      release();
      release(); // a second call is a no-op
    }));
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(s.inUse).toBe(0);
  });

  it('refuses a waiter whose signal is already aborted', async () => {
    const s = new Semaphore(1);
    const release = await s.acquire();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(s.acquire(ac.signal)).rejects.toThrow('stop');
    release();
    expect(s.inUse).toBe(0);
  });
});

describe('sleep', () => {
  it('resolves after the delay and rejects with the abort reason at once', async () => {
    const t0 = Date.now();
    await sleep(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(19);
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
    await expect(sleep(10, ac.signal)).rejects.toThrow('cancelled');
  });
});
