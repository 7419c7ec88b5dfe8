import { describe, expect, it } from 'vitest';
import { isMassivetextError, WorkerPool, type Document } from '../pipeline/index.js';
import { corpus } from '../tests/helpers/corpora.js';
import { applyFilters } from './apply-filters.js';
import { buildFilters, defaultFilterSpecs, FILTER_FACTORIES, type FilterSpec } from './registry.js';
import { htmlToText, readFeedItems, readJsonlGz, readWarcResponses } from './testing/fixture-docs.js';

async function realDocs(): Promise<Document[]> {
  const docs: Document[] = [];
  for (const f of ['olmo-c4-sample.01.json.gz', 'olmo-c4-sample.02.json.gz', 'olmo-c4-sample.03.json.gz', 'dolma-cc_en_head-0091.jsonl.gz']) {
    for (const [i, d] of (await readJsonlGz(corpus(`c4/${f}`))).entries()) docs.push({ id: `${f}#${i}`, subset: 'web', text: d.text, meta: { url: d.url } });
  }
  for (const r of await readWarcResponses(corpus('warc/resiliparse-commoncrawl-sample.warc.gz'))) {
    docs.push({ id: r.url, subset: 'web', text: htmlToText(r.html), meta: { url: r.url } });
  }
  return docs;
}

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return isMassivetextError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
};

describe('filter registry', () => {
  it('builds the default chain; unknown names and bad options are MassivetextErrors naming the path', () => {
    expect(buildFilters(defaultFilterSpecs).map((f) => f.name)).toEqual(['english', 'safety', 'gopher-quality', 'gopher-repetition']);
    expect(code(() => buildFilters([{ name: 'english' }, { name: 'nope' }]))).toBe('unknown_filter: filters[1].name: unknown filter "nope"');
    expect(code(() => buildFilters([{ name: 'gopher-quality', with: { minWords: '50' } }]))).toBe('bad_filter_option: filters[0].with.minWords must be a number');
    expect(code(() => buildFilters([{ name: 'gopher-quality', with: { minWord: 50 } }]))).toMatch(/^bad_filter_option: filters\[0\]\.with\.minWord is not an option/);
    expect(code(() => buildFilters([{ name: 'gopher-repetition', with: { duplicateNgramCoverage: 'both' } }]))).toBe(
      'bad_filter_option: filters[0].with.duplicateNgramCoverage must be one of "mask", "skip", "overlap"');
    expect(code(() => buildFilters([{ name: 'gopher-quality', with: { minWords: Infinity } }]))).toMatch(/finite/);
  });

  it('every registered filter lists its reasons with its own prefix', () => {
    for (const [name, e] of Object.entries(FILTER_FACTORIES)) {
      expect(e.reasons.length).toBeGreaterThan(0);
      for (const r of e.reasons) expect(r.startsWith(name.replace('-', '_') + ':')).toBe(true);
    }
  });

  it('scopes filters to subsets: gopher rules skip books, english skips github', async () => {
    const german = (await readFeedItems(corpus('feeds/rss-parser-heise.atom')))[0]!.text;
    const [v] = applyFilters([{ id: 'b', subset: 'books', text: german, meta: {} }], defaultFilterSpecs as FilterSpec[]).verdicts;
    expect(v).toMatchObject({ keep: false, reason: 'english:other_language' });
    const [g] = applyFilters([{ id: 'g', subset: 'github', text: 'int main(void) { return 0; }', meta: {} }], defaultFilterSpecs as FilterSpec[]).verdicts;
    expect(g).toEqual({ keep: true });
    const [w] = applyFilters([{ id: 'w', subset: 'web', text: 'int main(void) { return 0; }', meta: {} }], [{ name: 'gopher-quality' }]).verdicts;
    expect(w).toMatchObject({ keep: false, reason: 'gopher_quality:word_count' });
  });

  it('applyFilters on the worker pool gives the same verdicts as in-process, in order', async () => {
    const docs = await realDocs();
    const specs = defaultFilterSpecs as FilterSpec[];
    const local = applyFilters(docs, specs).verdicts;
    const batches = [docs.slice(0, 20), docs.slice(20, 41), docs.slice(41)];
    const pool = new WorkerPool({ size: 2 });
    try {
      const remote: unknown[] = [];
      for await (const r of pool.map(new URL('./apply-filters.js', import.meta.url).href, 'applyFilters', specs, batches)) {
        remote.push(...(r as { verdicts: unknown[] }).verdicts);
      }
      expect(remote).toEqual(local);
    } finally {
      await pool.close();
    }
    const dropped = local.filter((v) => !v.keep).length;
    expect(dropped).toBeGreaterThanOrEqual(16); // at least the 16 non-English Common Crawl pages
  });
});
