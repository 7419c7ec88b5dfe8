import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultFilterSpecs, FILTER_FACTORIES } from '../../filters/index.js';
import { readDocuments } from '../../pipeline/index.js';
import { corpus, repoRoot } from '../../tests/helpers/corpora.js';
import { FILTER_HELP } from './filter.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mt-filter-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The built CLI when it is at least as new as the sources it runs (`npm test` compiles first), else tsx.
const built = path.join(repoRoot, 'dist/bin/massivetext.js');
const fresh = ['bin/commands/filter', 'bin/commands/filter-run', 'filters/apply-filters', 'filters/registry', 'filters/english', 'filters/gopher-repetition'].every((f) => {
  const js = path.join(repoRoot, 'dist', `${f}.js`);
  return existsSync(js) && statSync(js).mtimeMs >= statSync(path.join(repoRoot, `${f}.ts`)).mtimeMs;
});
const entry = existsSync(built) && fresh && process.env.MASSIVETEXT_TEST_SOURCES !== '1'
  ? [built]
  : ['--import', pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, path.join(repoRoot, 'bin/massivetext.ts')];

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [...entry, 'filter', ...args], { input, encoding: 'utf8', cwd: tmp, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// 30 real C4 documents + 2 German and a short English line: the paper's filters keep most C4, drop the rest.
const c4 = ['01', '02', '03'].flatMap((n) => gunzipSync(readFileSync(corpus(`c4/olmo-c4-sample.${n}.json.gz`))).toString('utf8').trim().split('\n'));
const heise = readFileSync(corpus('feeds/rss-parser-expected/heise.json'), 'utf8');
const german = (JSON.parse(heise) as { feed: { items: { title: string; contentSnippet?: string }[] } }).feed.items
  .slice(0, 2).map((it) => `${it.title}\n${it.contentSnippet ?? ''}`);
const input = [...c4, ...german.map((t, i) => JSON.stringify({ id: `de-${i}`, text: t })), JSON.stringify({ id: 'short', text: 'Too short to keep.' }), '{not json'].join('\n') + '\n';

describe('massivetext filter', () => {
  it('--help lists the registry\'s filters and default rules (without loading the filters)', () => {
    expect([...FILTER_HELP.known]).toEqual(Object.keys(FILTER_FACTORIES));
    expect([...FILTER_HELP.defaults]).toEqual(defaultFilterSpecs.map((s) => s.name));
  });

  it('--explain prints one verdict per document with stable reasons; bad lines are counted (exit 3)', () => {
    const r = cli(['--explain', '--json'], input);
    expect(r.code).toBe(3);
    const v = r.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; keep: boolean; reason: string | null });
    expect(v).toHaveLength(c4.length + 3);
    expect(v[0]).toEqual({ id: 'stdin:1', keep: true, reason: null });
    expect(v.find((x) => x.id === 'de-0')?.reason).toMatch(/^english:/);
    expect(v.find((x) => x.id === 'short')?.reason).toBe('gopher_quality:word_count');
    const kept = v.filter((x) => x.keep).length;
    expect(kept).toBeGreaterThanOrEqual(25);
    const summary = r.err.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'summary');
    expect(summary.counters.in).toBe(c4.length + 3);
    expect(summary.counters.kept).toBe(kept);
    expect(summary.counters['error:malformed_json']).toBe(1);
  });

  it('prints kept documents and writes dropped ones to --rejected; --workers 2 gives the same bytes', () => {
    const rej = path.join(tmp, 'rejected');
    const one = cli(['--rejected', rej, '--quiet'], input);
    const two = cli(['--workers', '2', '--quiet'], input);
    expect(one.out).toBe(two.out);
    const kept = one.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(kept.every((d) => !d.id.startsWith('de-') && d.id !== 'short')).toBe(true);
    expect(readdirSync(rej)).toEqual(['part-00000.jsonl.zst']);
    return (async () => {
      const dropped = [];
      for await (const d of readDocuments(path.join(rej, 'part-00000.jsonl.zst'))) dropped.push(d);
      expect(dropped.length + kept.length).toBe(c4.length + 3);
      expect(dropped.every((d) => typeof d.meta.dropReason === 'string')).toBe(true);
    })();
  });

  it('--rules picks filters; --filters FILE sets options; bad names and options fail with exit 1', () => {
    const only = cli(['--rules', 'gopher-quality', '--explain', '--quiet'], input);
    const v = only.out.trim().split('\n').map((l) => JSON.parse(l) as { reason: string | null });
    expect(v.every((x) => x.reason === null || x.reason.startsWith('gopher_quality:'))).toBe(true);
    const specs = path.join(tmp, 'f.json');
    writeFileSync(specs, JSON.stringify([{ name: 'gopher-quality', with: { minWords: 1, minStopWords: 1 } }]));
    const lenient = cli(['--filters', specs, '--explain', '--quiet'], input);
    expect(lenient.out).toContain('{"id":"short","keep":true,"reason":null}');
    const bad = cli(['--rules', 'english,nope'], input);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown filter "nope".*\n.*hint: known filters: english, safety, gopher-quality, gopher-repetition/);
    writeFileSync(specs, JSON.stringify([{ name: 'gopher-quality', with: { minWords: 'x' } }]));
    expect(cli(['--filters', specs], input).err).toMatch(/filters\[0\]\.with\.minWords must be a number/);
  });
});
