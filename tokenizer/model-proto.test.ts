import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { corpus } from '../tests/helpers/corpora.js';
import { decodeModelProto, encodeModelProto, PieceType } from './model-proto.js';
import { ProtoWriter, readFields } from './protobuf-wire.js';
import { spmRequired, spmTrain } from './testing/reference-tools.js';
import { vocabText } from './train.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').replace(/(..)/g, '$1 ').trim();

describe('ModelProto wire format', () => {
  it('encodes pieces exactly as the byte examples measured against spm_encode (tokenizer.md §3.2)', () => {
    const m = encodeModelProto({
      pieces: [
        { piece: '<unk>', score: 0, type: PieceType.UNKNOWN },
        { piece: '\u2581the', score: -3.5 },
        { piece: '<0x0A>', score: 0, type: PieceType.BYTE },
      ],
    });
    expect(hex(m)).toBe([
      '0a 0e 0a 05 3c 75 6e 6b 3e 15 00 00 00 00 18 02',
      '0a 0d 0a 06 e2 96 81 74 68 65 15 00 00 60 c0',
      '0a 0f 0a 06 3c 30 78 30 41 3e 15 00 00 00 00 18 06',
    ].join(' '));
  });

  it('sign-extends negative int32 to 10 bytes and uses 2-byte keys above field 15', () => {
    const w = new ProtoWriter();
    w.fieldInt32(43, -1);
    w.fieldBool(35, true);
    w.fieldFloat(10, 0.9995);
    expect(hex(w.finish())).toBe('d8 02 ff ff ff ff ff ff ff ff ff 01 98 02 01 55 3b df 7f 3f');
    const f = readFields(w.finish());
    expect(f.map((x) => [x.field, x.num])).toEqual([[43, -1], [35, 1], [10, 0x3f7fdf3b]]);
  });

  it('round-trips a real spm_train model byte for byte', () => {
    if (!spmRequired()) return; // no spm_train outside CI
    const dir = mkdtempSync(path.join(tmpdir(), 'mt-proto-'));
    try {
      const prefix = path.join(dir, 'spm');
      spmTrain({ input: corpus('books/sentencepiece-botchan.txt'), model_prefix: prefix, vocab_size: 800, byte_fallback: true, num_threads: 2, pad_id: 3 });
      const bytes = readFileSync(`${prefix}.model`);
      const proto = decodeModelProto(bytes);
      expect(proto.pieces).toHaveLength(800);
      expect(proto.trainerSpec!.pad_id).toBe(3);
      expect(proto.normalizerSpec!.name).toBe('nmt_nfkc');
      expect(Buffer.from(encodeModelProto(proto)).equals(bytes)).toBe(true);
      // Our .vocab writer prints scores exactly as spm_train does (C++ ostream, 6 significant digits).
      expect(vocabText(proto)).toBe(readFileSync(`${prefix}.vocab`, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects truncated input with a clear error', () => {
    const good = encodeModelProto({ pieces: [{ piece: '<unk>', score: 0, type: PieceType.UNKNOWN }] });
    expect(() => decodeModelProto(good.subarray(0, good.length - 3))).toThrow(/truncated/);
  });
});
