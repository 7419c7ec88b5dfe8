import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeIds, idsToPieces, loadModel } from './encoder.js';
import { decodeModelProto, PieceType } from './model-proto.js';
import { trainTokenizer, writeModel } from './train.js';
import { botchan, UNICODE_LINES } from './testing/fixtures.js';
import { loadSentencePieceJs, spmEncodeIds, spmRequired } from './testing/reference-tools.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mt-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { train, heldOut } = botchan();
const lines = [...heldOut, ...UNICODE_LINES];

/** Ours == sentencepiece-js == spm_encode (spm_encode skipped only when absent outside CI). */
async function expectParity(file: string): Promise<number[][]> {
  const model = await loadModel(file);
  const ours = lines.map((l) => Array.from(encodeIds(model, l)));
  const sp = await loadSentencePieceJs(file);
  const js = lines.map((l) => sp.encodeIds(l));
  const diff = (ref: number[][]) => ours.flatMap((ids, i) => (ids.join(' ') === ref[i]!.join(' ') ? [] : [{ line: lines[i], ours: idsToPieces(model, ids), ref: idsToPieces(model, ref[i]!) }]));
  expect(diff(js)).toEqual([]);
  if (spmRequired()) expect(diff(spmEncodeIds(file, lines))).toEqual([]);
  return ours;
}

describe('trainTokenizer writes models that spm_encode and sentencepiece-js encode exactly like encodeIds', () => {
  it('unigram, NFKC (default), byte fallback; identical bytes with 1 and 2 threads', async () => {
    const m1 = await trainTokenizer(train, { vocabSize: 1000, threads: 1 });
    const m2 = await trainTokenizer(train, { vocabSize: 1000, threads: 2 });
    expect(Buffer.from(m1.modelBytes).equals(Buffer.from(m2.modelBytes))).toBe(true);
    expect(m1.vocabSize).toBe(1000);
    const prefix = path.join(dir, 'uni');
    await writeModel(prefix, m1);
    const proto = decodeModelProto(readFileSync(`${prefix}.model`));
    expect(proto.pieces.slice(0, 3).map((p) => [p.piece, p.type])).toEqual([['<unk>', PieceType.UNKNOWN], ['<s>', PieceType.CONTROL], ['</s>', PieceType.CONTROL]]);
    expect(proto.pieces[13]).toMatchObject({ piece: '<0x0A>', type: PieceType.BYTE });
    expect(proto.normalizerSpec).toMatchObject({ name: 'nfkc', remove_extra_whitespaces: false, add_dummy_prefix: true });
    const vocab = readFileSync(`${prefix}.vocab`, 'utf8').split('\n');
    expect(vocab[0]).toBe('<unk>\t0');
    expect(vocab).toHaveLength(1001);
    const ids = await expectParity(`${prefix}.model`);
    const model = await loadModel(`${prefix}.model`);
    // Whole documents (newlines inside) as the build step encodes them: ours == sentencepiece-js.
    const sp = await loadSentencePieceJs(`${prefix}.model`);
    for (let i = 0; i + 12 <= heldOut.length; i += 60) {
      const doc = heldOut.slice(i, i + 12).join('\n') + '\n\n  indented\tline\n';
      expect(Array.from(encodeIds(model, doc))).toEqual(sp.encodeIds(doc));
    }
    // NFKC folds compatibility forms; newlines and tabs survive as byte pieces (lossless whitespace).
    expect(idsToPieces(model, encodeIds(model, '\ufb01ne'))).toEqual(idsToPieces(model, encodeIds(model, 'fine')));
    expect(idsToPieces(model, encodeIds(model, 'a\nb'))).toContain('<0x0A>');
    const tokens = ids.slice(0, heldOut.length).flat().length;
    const bytes = heldOut.reduce((s, l) => s + Buffer.byteLength(l), 0);
    expect(bytes / tokens).toBeGreaterThan(2.2); // a 1k vocabulary on English prose
  }, 60_000);

  it('bpe with nmt_nfkc (spm_train defaults)', async () => {
    const m = await trainTokenizer(train, { vocabSize: 1000, modelType: 'bpe', normalization: 'nmt_nfkc', threads: 2 });
    const prefix = path.join(dir, 'bpe');
    await writeModel(prefix, m);
    expect(m.proto.trainerSpec!.model_type).toBe(2);
    expect(m.proto.normalizerSpec).toMatchObject({ name: 'nmt_nfkc', remove_extra_whitespaces: true });
    await expectParity(`${prefix}.model`);
  }, 60_000);

  it('identity normalization with user-defined symbols and split digits', async () => {
    const m = await trainTokenizer(train, { vocabSize: 600, normalization: 'identity', userDefinedSymbols: ['Botchan'], splitDigits: true, threads: 2 });
    const prefix = path.join(dir, 'ident');
    await writeModel(prefix, m);
    expect(m.proto.pieces.find((p) => p.piece === 'Botchan')?.type).toBe(PieceType.USER_DEFINED);
    expect(m.proto.pieces.some((p) => p.type === undefined && /\d\d/.test(p.piece))).toBe(false);
    await expectParity(`${prefix}.model`);
  }, 60_000);

  it('fails clearly when the text cannot support the vocabulary or options are out of range', async () => {
    await expect(trainTokenizer(train.slice(0, 50), { vocabSize: 8000, threads: 1 })).rejects.toMatchObject({ code: 'vocab_too_large' });
    await expect(trainTokenizer(train, { characterCoverage: 0.5 })).rejects.toMatchObject({ code: 'bad_tokenizer_option' });
    await expect(trainTokenizer(['', '\n\n'], { vocabSize: 300 })).rejects.toMatchObject({ code: 'no_training_text' });
  }, 60_000);
});
