import { describe, expect, it } from 'vitest';
import { WorkerPool } from './worker-pool.js';

const mod = new URL('./testing/pool-fixture.js', import.meta.url).href;

describe('WorkerPool', () => {
  it('returns results in input order whatever the pool size', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => ({ n: i, delay: (i * 7) % 5 }));
    const results: number[][] = [];
    for (const size of [1, 2, 3]) {
      const pool = new WorkerPool({ size });
      const out: number[] = [];
      for await (const r of pool.map<typeof inputs[0], { mul: number }, number>(mod, 'slowSquare', { mul: 3 }, inputs)) out.push(r);
      await pool.close();
      results.push(out);
    }
    expect(results[0]).toEqual(inputs.map((x) => x.n * x.n * 3));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('propagates an error from the worker with its code', async () => {
    const pool = new WorkerPool({ size: 2 });
    await expect(pool.run(mod, 'fail', {}, 1)).rejects.toMatchObject({ code: 'fixture_failure' });
    await expect(pool.run(mod, 'missing', {}, 1)).rejects.toThrow(/no exported function missing/);
    await pool.close();
  });
});
