import { describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { readDocuments } from './document-parts.js';
import type { Document } from './document.js';
import { runPipeline } from './run-pipeline.js';
import type { Sink, Source, Stage } from './stage.js';
import { mergeRunStats } from './stats.js';

const c4Source = (file: string): Source => ({
  name: 'read',
  async *read(ctx) {
    for await (const d of readDocuments(corpus(file), { defaultSubset: 'c4' })) {
      ctx.stats.in();
      yield d;
    }
  },
});

const minWords = (n: number): Stage => ({
  name: 'min-words',
  async *run(input, ctx) {
    for await (const d of input) {
      if (d.text.split(/\s+/).length >= n) yield d;
      else ctx.stats.dropped('too_few_words');
    }
  },
});

const collect = (out: Document[]): Sink => ({ name: 'collect', async write(input) { for await (const d of input) out.push(d); } });

describe('runPipeline', () => {
  it('counts in, kept, dropped:<reason> and bytes per stage on real C4 documents', async () => {
    const out: Document[] = [];
    const stats = await runPipeline(c4Source('c4/olmo-c4-sample.01.json.gz'), [minWords(300)], collect(out));
    const f = stats['min-words']!;
    expect(f.in).toBe(10);
    expect(f.kept! + f['dropped:too_few_words']!).toBe(10);
    expect(f.kept).toBe(out.length);
    expect(f.bytes_out).toBe(out.reduce((a, d) => a + Buffer.byteLength(d.text), 0));
    expect(stats.collect!.in).toBe(out.length);
    expect(typeof f.wall_ms).toBe('number');
  });

  it('stats of two tasks add up to the stats of one run over both inputs', async () => {
    const a = await runPipeline(c4Source('c4/olmo-c4-sample.01.json.gz'), [minWords(300)], collect([]));
    const b = await runPipeline(c4Source('c4/olmo-c4-sample.02.json.gz'), [minWords(300)], collect([]));
    const both: Source = {
      name: 'read',
      async *read(ctx) {
        yield* c4Source('c4/olmo-c4-sample.01.json.gz').read(ctx);
        yield* c4Source('c4/olmo-c4-sample.02.json.gz').read(ctx);
      },
    };
    const all = await runPipeline(both, [minWords(300)], collect([]));
    const strip = (s: Record<string, Record<string, number>>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([n]) => n !== 'wall_ms'))]));
    expect(strip(mergeRunStats(a, b))).toEqual(strip(all));
  });
});
