/**
 * `massivetext tokenizer train` and `tokenizer encode` through the built CLI, on sentencepiece's own test
 * text (botchan): a model trained here encodes to the same ids on one thread and on two, equal to
 * Debian's spm_encode where it is installed; a bad model is named with and without workers.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../tests/helpers/cli.js';
import { corpus } from '../../tests/helpers/corpora.js';

const text = corpus('books/sentencepiece-botchan.txt');
const hasSpm = spawnSync('spm_encode', ['--help'], { encoding: 'utf8' }).error === undefined;
let dir: string;
let model: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokenizer-cli-'));
  const r = runCli(['tokenizer', 'train', '--input', text, '--vocab-size', '2000', '--out', path.join(dir, 'botchan'), '--quiet']);
  expect(r.status, r.stderr).toBe(0);
  model = path.join(dir, 'botchan.model');
}, 120_000);
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('massivetext tokenizer encode', () => {
  it('gives the same ids on one thread and on two (workers load the model themselves)', () => {
    const one = runCli(['tokenizer', 'encode', '--model', model, '--input', text, '--threads', '1']);
    const two = runCli(['tokenizer', 'encode', '--model', model, '--input', text, '--threads', '2']);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const lines = one.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(4000);
    expect(lines.every((l) => l === '' || /^\d+( \d+)*$/.test(l))).toBe(true);
    expect(two.stdout).toBe(one.stdout);
  }, 120_000);

  it.skipIf(!hasSpm && !process.env.CI)('equals spm_encode --output_format=id', () => {
    const ours = runCli(['tokenizer', 'encode', '--model', model, '--input', text, '--threads', '2']);
    const ref = spawnSync('spm_encode', [`--model=${model}`, '--output_format=id', `--input=${text}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(ref.status, ref.stderr).toBe(0);
    expect(ours.stdout).toBe(ref.stdout);
  }, 120_000);

  it('names a bad model file, with workers and without, even for empty input', async () => {
    const empty = path.join(dir, 'empty.txt');
    await fs.writeFile(empty, '');
    for (const threads of ['1', '2']) {
      for (const input of [text, empty]) {
        const r = runCli(['tokenizer', 'encode', '--model', text, '--input', input, '--threads', threads]);
        expect(r.status, `${threads} ${input}`).toBe(1);
        expect(r.stderr).toMatch(/is not a valid SentencePiece model.*\[model_invalid\]/);
      }
    }
    const missing = runCli(['tokenizer', 'encode', '--model', path.join(dir, 'nope.model'), '--input', text, '--threads', '2']);
    expect(missing.stderr).toMatch(/cannot read tokenizer model .*nope\.model.*\[model_unreadable\]/);
  }, 120_000);
});
