import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTokenCorpus } from '../../tests/python/token-corpus.js';
import { sampleTokens } from './sample-tokens.js';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'sample-workers-'));
  await buildTokenCorpus(path.join(root, 'build'), { shardTokens: 200_000 });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('sampleTokens on worker threads', () => {
  it('writes the same bytes with each output shard as a task on two workers as in one thread', async () => {
    const build = path.join(root, 'build');
    const o = { in: build, ratio: 0.3, shardTokens: 30_000, seed: 5 };
    const inline = await sampleTokens({ ...o, out: path.join(root, 'inline'), workers: 1 });
    const pooled = await sampleTokens({ ...o, out: path.join(root, 'pooled'), workers: 2, parallelMinBytes: 0 });
    expect(inline.files.length).toBeGreaterThan(4);
    expect(pooled.files).toEqual(inline.files);
    expect(await fs.readFile(path.join(root, 'pooled', 'web', 'manifest.json'), 'utf8')).toBe(await fs.readFile(path.join(root, 'inline', 'web', 'manifest.json'), 'utf8'));
  });
});
