import { describe, expect, it } from 'vitest';
import { corporaDir } from '../../tests/helpers/corpora.js';
import type { Document } from '../../pipeline/document.js';
import { StageStats } from '../../pipeline/stats.js';
import { WorkerPool } from '../../pipeline/worker-pool.js';
import { decodeHtml } from '../web/index.js';
import { extractStage } from './extract-stage.js';
import { fixturePages } from './extraction-score.js';

async function run(docs: Document[], pool?: WorkerPool) {
  const stats = new StageStats('extract');
  const out: Document[] = [];
  const input = (async function* () { yield* docs; })();
  for await (const d of extractStage({ pool, batchDocs: 4 }).run(input, { stats, reporter: { progress() {}, info() {}, warn() {} } })) out.push(d);
  return { out, stats: stats.counters };
}

describe('extractStage', () => {
  const pages = fixturePages(corporaDir);
  const docs: Document[] = [
    ...pages.slice(0, 6).map((p) => ({ id: `web:${p.id}`, subset: 'web' as const, text: decodeHtml(p.bytes).text, meta: { format: 'html', url: `https://example.test/${p.id}` } })),
    { id: 'c4:plain', subset: 'c4', text: 'Already plain text passes through.', meta: {} },
    { id: 'web:empty', subset: 'web', text: '<html><body><nav><a href="/">Home</a></nav></body></html>', meta: { format: 'html' } },
  ];

  it('extracts HTML documents, passes others through, drops empty pages; same output on a worker pool', async () => {
    const local = await run(docs);
    expect(local.out).toHaveLength(docs.length - 1);
    expect(local.stats['dropped:empty_extraction']).toBe(1);
    expect(local.out.at(-1)).toEqual(docs.at(-2));
    const first = local.out[0]!;
    expect(first.meta.format).toBeUndefined();
    expect(first.meta.title).toBe('What we do - Creative Commons');
    expect(first.text).toContain('With a network of staff, board, and affiliates');

    const pool = new WorkerPool({ size: 2 });
    try {
      const pooled = await run(docs, pool);
      expect(pooled.out).toEqual(local.out);
    } finally {
      await pool.close();
    }
  });
});
