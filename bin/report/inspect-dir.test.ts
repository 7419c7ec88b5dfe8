import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMassivetextError, markUnitDone, type Manifest, writeManifest } from '../../pipeline/index.js';
import { encodeModelProto, ModelType } from '../../tokenizer/model-proto.js';
import { buildTokenManifest, writeTokenManifest } from '../../pipeline/token-shards.js';
import { formatInspection } from './format-inspection.js';
import { type BuildInspection, inspectDir, type SampleInspection, type TokensInspection } from './inspect-dir.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let root: string;
let build: string;

/** A build directory written with the pipeline's own writers: manifest, completion records, token manifests, a tokenizer. */
async function makeBuild(dir: string): Promise<void> {
  const m: Manifest = {
    tool: 'massivetext', version: 1, fingerprint: 'f'.repeat(64), config: { name: 'fixture-recipe' },
    inputs: [{ path: 'a.jsonl', size: 1000, sha256: 'x' }, { path: 'b.jsonl', size: 500, sha256: 'y' }],
    steps: { ingest: { units: 2, done: 2, complete: true }, filters: { units: 4, done: 1, complete: false } },
  };
  await writeManifest(dir, m);
  await markUnitDone(dir, 'ingest', 'web-00000', { 'read-web': { in: 5 } }, {});
  await markUnitDone(dir, 'ingest', 'web-00001', { 'read-web': { in: 5 } }, {});
  await markUnitDone(dir, 'filters', 'web-00000', { gopher: { in: 5 } }, {});
  // A step that ran but that the manifest does not list yet (the manifest is updated at the end of a run).
  await markUnitDone(dir, 'encode', 'web', {}, {});
  await fs.copyFile(path.join(here, 'fixtures', 'report.json'), path.join(dir, 'report.json'));
  await fs.mkdir(path.join(dir, 'tokens', 'web'), { recursive: true });
  await writeTokenManifest(path.join(dir, 'tokens', 'web'), buildTokenManifest(
    [{ bin: 'part-00000.bin', idx: 'part-00000.idx', tokens: 1234, documents: 7, binBytes: 2468, idxBytes: 100, sha256Bin: 'a', sha256Idx: 'b' }],
    { vocabSize: 8000, eosId: 2, meta: { subset: 'web' } },
  ));
  await fs.mkdir(path.join(dir, 'tokenizer'));
  const pieces = ['<unk>', '<s>', '</s>', '▁the', '▁a'].map((piece) => ({ piece, score: 0 }));
  await fs.writeFile(path.join(dir, 'tokenizer', 'massivetext.model'), encodeModelProto({ pieces, trainerSpec: { model_type: ModelType.BPE, vocab_size: 5 } }));
  await fs.writeFile(path.join(dir, 'tokenizer', 'massivetext.vocab'), pieces.map((p) => `${p.piece}\t0\n`).join(''));
  await fs.mkdir(path.join(dir, 'sample'));
  await fs.copyFile(path.join(here, 'fixtures', 'sample-manifest.json'), path.join(dir, 'sample', 'manifest.json'));
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-inspect-'));
  build = path.join(root, 'out');
  await fs.mkdir(build);
  await makeBuild(build);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('inspectDir on a build directory', () => {
  it('lists steps in pipeline order with their finished units, including steps the manifest does not list yet', async () => {
    const b = (await inspectDir(build)) as BuildInspection;
    expect(b.kind).toBe('build');
    expect(b.recipe).toBe('fixture-recipe');
    expect(b.inputs).toEqual({ files: 2, bytes: 1500 });
    expect(b.steps).toEqual([
      { name: 'ingest', units: 2, done: 2, complete: true },
      { name: 'filters', units: 4, done: 1, complete: false },
      { name: 'encode', units: null, done: 1, complete: false },
    ]);
    expect(b.notes.join('\n')).toContain('1 step(s) unfinished (filters)');
  });

  it('takes per-subset counts from report.json and tokens from the token shards on disk', async () => {
    const b = (await inspectDir(build)) as BuildInspection;
    expect(b.subsets.map((s) => s.name)).toEqual(['web', 'books', 'c4', 'news', 'github', 'wikipedia']);
    const web = b.subsets[0]!;
    expect(web.docsRead).toBe(2400);
    expect(web.docs).toBe(971);
    expect(web.tokens).toBe(1234); // tokens/web/manifest.json wins over report.json
    expect(web.tokenShards).toBe(1);
    const report = JSON.parse(await fs.readFile(path.join(here, 'fixtures', 'report.json'), 'utf8'));
    expect(b.subsets[1]!.tokens).toBe(report.subsets.books.tokens); // no shards on disk: from report.json
  });

  it('reads the tokenizer type from the model and the vocabulary size from the .vocab file', async () => {
    const b = (await inspectDir(build)) as BuildInspection;
    expect(b.tokenizer).toEqual({ vocab: 'tokenizer/massivetext.vocab', vocabSize: 5, model: 'tokenizer/massivetext.model', modelType: 'bpe' });
    expect(b.sample).toEqual({ dir: 'sample', tokens: 87179, documents: 131, subsets: 5 });
    expect(b.report).toEqual({ json: true, html: false });
  });

  it('formats a table a person can read', async () => {
    const text = formatInspection(await inspectDir(build));
    expect(text).toContain(`build directory ${build} (recipe fixture-recipe, fingerprint ffffffffffff)`);
    expect(text).toMatch(/ingest\s+2\s+2\s+complete/);
    expect(text).toMatch(/filters\s+4\s+1\s+25% done/);
    expect(text).toMatch(/encode\s+\?\s+1\s+running/);
    expect(text).toMatch(/web\s+2,400\s+971\s+3\.81 MB\s+1,234\s+1/);
    expect(text).toContain('tokenizer: bpe, 5 pieces (tokenizer/massivetext.model)');
    expect(text).toContain('sample: 87,179 tokens');
  });
});

describe('inspectDir on sample and token directories', () => {
  it('summarises a sample directory per subset', async () => {
    const s = (await inspectDir(path.join(build, 'sample'))) as SampleInspection;
    expect(s.kind).toBe('sample');
    expect(s.tokens).toBe(87179);
    expect(s.subsets.map((x) => [x.subset, x.tokens])).toEqual([['web', 26864], ['books', 31893], ['c4', 12805], ['news', 11718], ['wikipedia', 3899]]);
    const text = formatInspection(s);
    expect(text).toMatch(/web\s+49\.5%\s+26,864\s+30\.8%\s+8\s+0\.284\s+2/);
    expect(text).toContain('note: no tokens for github');
  });

  it('summarises one subset\'s token shards', async () => {
    const t = (await inspectDir(path.join(build, 'tokens', 'web'))) as TokensInspection;
    expect(t).toMatchObject({ kind: 'tokens', subset: 'web', tokens: 1234, documents: 7, shards: 1, bytes: 2568, vocabSize: 8000, eosId: 2, dtype: 'uint16' });
  });
});

describe('inspectDir errors say what to do', () => {
  const code = async (dir: string) => {
    try {
      await inspectDir(dir);
    } catch (e) {
      if (isMassivetextError(e)) return { code: e.code, hint: e.hint, file: e.position.file };
      throw e;
    }
    return undefined;
  };

  it('a missing directory', async () => {
    expect(await code(path.join(root, 'nope'))).toMatchObject({ code: 'not_found', hint: expect.stringContaining('--out') });
  });

  it('a file instead of a directory', async () => {
    expect(await code(path.join(build, 'report.json'))).toMatchObject({ code: 'not_a_directory' });
  });

  it('a folder inside a build points to the build', async () => {
    expect(await code(path.join(build, 'steps', 'ingest'))).toMatchObject({ code: 'not_a_build_dir', hint: `did you mean ${build}?` });
  });

  it('a folder that holds a build points to it', async () => {
    const parent = path.join(root, 'proj');
    await fs.mkdir(path.join(parent, 'massivetext-out'), { recursive: true });
    await fs.copyFile(path.join(build, 'manifest.json'), path.join(parent, 'massivetext-out', 'manifest.json'));
    expect(await code(parent)).toMatchObject({ code: 'not_a_build_dir', hint: `did you mean ${path.join(parent, 'massivetext-out')}?` });
  });

  it('a damaged manifest names the file', async () => {
    const bad = path.join(root, 'bad');
    await fs.mkdir(bad);
    await fs.writeFile(path.join(bad, 'manifest.json'), '{"tool": "massivetext", "steps": {');
    expect(await code(bad)).toMatchObject({ code: 'bad_json', file: path.join(bad, 'manifest.json') });
  });

  it('a manifest of another tool', async () => {
    const other = path.join(root, 'other');
    await fs.mkdir(other);
    await fs.writeFile(path.join(other, 'manifest.json'), '{"name": "some-npm-package"}');
    expect(await code(other)).toMatchObject({ code: 'not_a_build_dir' });
  });
});
