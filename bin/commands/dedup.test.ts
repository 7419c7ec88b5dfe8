import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { corpus, repoRoot } from '../../tests/helpers/corpora.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mt-dedup-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The built CLI when `npm test` has compiled it (fast start), else the sources through tsx.
const built = path.join(repoRoot, 'dist/bin/massivetext.js');
const entry = existsSync(built) && process.env.MASSIVETEXT_TEST_SOURCES !== '1'
  ? [built]
  : ['--import', pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, path.join(repoRoot, 'bin/massivetext.ts')];

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [...entry, 'dedup', ...args],
    { input, encoding: 'utf8', cwd: tmp, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const c4 = gunzipSync(readFileSync(corpus('c4/olmo-c4-sample.01.json.gz'))).toString('utf8').trim().split('\n');

describe('massivetext dedup', () => {
  it('reads stdin, drops exact and near copies, prints kept documents, and explains each verdict', () => {
    const near = JSON.parse(c4[1]!) as { text: string };
    const input = [...c4, c4[0]!, JSON.stringify({ text: near.text.replace(/\bthe\b/, 'a') })].join('\n') + '\n';
    const kept = cli(['--quiet'], input);
    expect(kept.code).toBe(0);
    const docs = kept.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(docs.map((d) => d.id)).toEqual(c4.map((_, i) => `stdin:${i + 1}`));

    const ex = cli(['--explain', '--quiet'], input);
    const v = ex.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(v).toHaveLength(c4.length + 2);
    expect(v[c4.length]).toEqual({ id: `stdin:${c4.length + 1}`, keep: false, reason: 'exact_duplicate', duplicate_of: 'stdin:1' });
    expect(v[c4.length + 1]).toEqual({ id: `stdin:${c4.length + 2}`, keep: false, reason: 'near_duplicate', duplicate_of: 'stdin:2' });
    expect(v.slice(0, c4.length).every((x) => x.keep && x.reason === null)).toBe(true);
  });

  it('decontaminates against test set files only when --against is given, and reports bad records with exit 3', () => {
    const test = path.join(tmp, 'evalset.jsonl');
    writeFileSync(test, c4[4]! + '\n');
    const docsFile = path.join(tmp, 'docs.jsonl');
    writeFileSync(docsFile, [c4[4], c4[5], '{broken', c4[5]].join('\n') + '\n');
    const r = cli(['--against', test, '--explain', docsFile]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/malformed_json.*docs\.jsonl, line 3/);
    const v = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(v.map((x) => [x.keep, x.reason])).toEqual([[false, 'evalset'], [true, null], [true, null]]);
  });

  it('prints the LSH S-curve, and rejects bad options with a hint', () => {
    const p = cli(['--lsh-params']);
    expect(p.out).toMatch(/33 bands x 12 rows = 396 hashes/);
    expect(p.out).toMatch(/J=0\.80 {2}P=0\.905/);
    expect(p.out).toMatch(/J=0\.50 {2}P=0\.00803/);
    const bad = cli(['--measure', 'cosine', 'x.jsonl']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--measure must be jaccard or containment/);
  });
});
