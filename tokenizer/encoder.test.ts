import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeIds, idsToPieces, loadModel } from './encoder.js';
import { botchan, UNICODE_LINES } from './testing/fixtures.js';
import { spmEncodeIds, spmRequired, spmTrain } from './testing/reference-tools.js';

// Our encoder on models written by Debian's spm_train: ids must equal spm_encode's on held-out text.
const run = spmRequired();
let dir = '';
const { train, heldOut } = botchan();
const lines = [...heldOut, ...UNICODE_LINES];

beforeAll(() => {
  if (!run) return;
  dir = mkdtempSync(path.join(tmpdir(), 'mt-enc-'));
  writeFileSync(path.join(dir, 'train.txt'), train.join('\n') + '\n');
  const common = { input: path.join(dir, 'train.txt'), vocab_size: 1000, num_threads: 2 };
  spmTrain({ ...common, model_prefix: path.join(dir, 'uni'), byte_fallback: true });
  spmTrain({ ...common, model_prefix: path.join(dir, 'bpe'), model_type: 'bpe', byte_fallback: true });
  spmTrain({
    ...common, model_prefix: path.join(dir, 'ident'), normalization_rule_name: 'identity',
    remove_extra_whitespaces: false, user_defined_symbols: 'Botchan,<br>', allow_whitespace_only_pieces: true,
  });
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe.runIf(run)('encodeIds matches spm_encode on spm_train models', () => {
  for (const name of ['uni', 'bpe', 'ident']) {
    it(`${name}: identical ids on ${lines.length} held-out and Unicode lines`, async () => {
      const file = path.join(dir, `${name}.model`);
      const model = await loadModel(file);
      const ref = spmEncodeIds(file, lines);
      const ours = lines.map((l) => Array.from(encodeIds(model, l)));
      const bad = ours.map((ids, i) => (ids.join(' ') === ref[i]!.join(' ') ? -1 : i)).filter((i) => i >= 0);
      expect(bad.map((i) => ({ line: lines[i], ours: idsToPieces(model, ours[i]!), ref: idsToPieces(model, ref[i]!) }))).toEqual([]);
      expect(ours.flat().length).toBeGreaterThan(5000);
    });
  }

  it('reports byte fallback and unknowns as spm does', async () => {
    const model = await loadModel(path.join(dir, 'uni.model'));
    const ids = encodeIds(model, '\u9f8d');
    expect(idsToPieces(model, ids)).toEqual(['\u2581', '<0xE9>', '<0xBE>', '<0x8D>']);
    const ident = await loadModel(path.join(dir, 'ident.model'));
    expect(idsToPieces(ident, encodeIds(ident, '\u9f8d\u9f8d x'))).toContain('<unk>');
    expect(idsToPieces(ident, encodeIds(ident, 'Botchan<br>'))).toEqual(['\u2581', 'Botchan', '<br>']);
  });
});

describe('loadModel errors', () => {
  it('names the file when it is not a model', async () => {
    const f = path.join(tmpdir(), `not-a-model-${process.pid}.model`);
    writeFileSync(f, 'hello world, not protobuf\n');
    try {
      await expect(loadModel(f)).rejects.toThrow(f);
    } finally {
      rmSync(f, { force: true });
    }
    await expect(loadModel('/nonexistent/x.model')).rejects.toMatchObject({ code: 'model_unreadable' });
  });
});
