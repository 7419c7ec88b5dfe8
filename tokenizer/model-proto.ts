/**
 * The SentencePiece `.model` file: a ModelProto (src/sentencepiece_model.proto, proto2) written and read
 * with the hand-rolled wire codec. Field numbers and defaults follow tokenizer.md §3.1. Fields are written
 * in field-number order, only when present, which is what spm_train does; re-encoding a decoded
 * spm_train model therefore reproduces its bytes.
 */
import { ProtoWriter, readFields, fixed32ToFloat, WIRE_FIXED32, WIRE_LEN, WIRE_VARINT, type ProtoField } from './protobuf-wire.js';

export enum PieceType {
  NORMAL = 1,
  UNKNOWN = 2,
  CONTROL = 3,
  USER_DEFINED = 4,
  UNUSED = 5,
  BYTE = 6,
}

export enum ModelType {
  UNIGRAM = 1,
  BPE = 2,
  WORD = 3,
  CHAR = 4,
}

export interface ModelPiece {
  piece: string;
  score: number;
  /** Absent means NORMAL (and is written as absent). */
  type?: PieceType;
}

type Kind = 'string' | 'bytes' | 'int32' | 'uint64' | 'bool' | 'float' | 'enum';
interface FieldDef { no: number; name: string; kind: Kind; repeated?: boolean }

/** TrainerSpec fields (proto field numbers from sentencepiece_model.proto). */
export const TRAINER_SPEC_FIELDS: readonly FieldDef[] = [
  { no: 1, name: 'input', kind: 'string', repeated: true },
  { no: 2, name: 'model_prefix', kind: 'string' },
  { no: 3, name: 'model_type', kind: 'enum' },
  { no: 4, name: 'vocab_size', kind: 'int32' },
  { no: 5, name: 'accept_language', kind: 'string', repeated: true },
  { no: 6, name: 'self_test_sample_size', kind: 'int32' },
  { no: 7, name: 'input_format', kind: 'string' },
  { no: 10, name: 'character_coverage', kind: 'float' },
  { no: 11, name: 'input_sentence_size', kind: 'uint64' },
  { no: 12, name: 'mining_sentence_size', kind: 'int32' },
  { no: 13, name: 'training_sentence_size', kind: 'int32' },
  { no: 14, name: 'seed_sentencepiece_size', kind: 'int32' },
  { no: 15, name: 'shrinking_factor', kind: 'float' },
  { no: 16, name: 'num_threads', kind: 'int32' },
  { no: 17, name: 'num_sub_iterations', kind: 'int32' },
  { no: 18, name: 'max_sentence_length', kind: 'int32' },
  { no: 19, name: 'shuffle_input_sentence', kind: 'bool' },
  { no: 20, name: 'max_sentencepiece_length', kind: 'int32' },
  { no: 21, name: 'split_by_unicode_script', kind: 'bool' },
  { no: 22, name: 'split_by_whitespace', kind: 'bool' },
  { no: 23, name: 'split_by_number', kind: 'bool' },
  { no: 24, name: 'treat_whitespace_as_suffix', kind: 'bool' },
  { no: 25, name: 'split_digits', kind: 'bool' },
  { no: 26, name: 'allow_whitespace_only_pieces', kind: 'bool' },
  { no: 30, name: 'control_symbols', kind: 'string', repeated: true },
  { no: 31, name: 'user_defined_symbols', kind: 'string', repeated: true },
  { no: 32, name: 'vocabulary_output_piece_score', kind: 'bool' },
  { no: 33, name: 'hard_vocab_limit', kind: 'bool' },
  { no: 34, name: 'use_all_vocab', kind: 'bool' },
  { no: 35, name: 'byte_fallback', kind: 'bool' },
  { no: 36, name: 'required_chars', kind: 'string' },
  { no: 40, name: 'unk_id', kind: 'int32' },
  { no: 41, name: 'bos_id', kind: 'int32' },
  { no: 42, name: 'eos_id', kind: 'int32' },
  { no: 43, name: 'pad_id', kind: 'int32' },
  { no: 44, name: 'unk_surface', kind: 'string' },
  { no: 45, name: 'unk_piece', kind: 'string' },
  { no: 46, name: 'bos_piece', kind: 'string' },
  { no: 47, name: 'eos_piece', kind: 'string' },
  { no: 48, name: 'pad_piece', kind: 'string' },
  { no: 49, name: 'train_extremely_large_corpus', kind: 'bool' },
  { no: 50, name: 'enable_differential_privacy', kind: 'bool' },
  { no: 51, name: 'differential_privacy_noise_level', kind: 'float' },
  { no: 52, name: 'differential_privacy_clipping_threshold', kind: 'uint64' },
  { no: 53, name: 'pretokenization_delimiter', kind: 'string' },
  { no: 54, name: 'seed_sentencepieces_file', kind: 'string' },
];

export const NORMALIZER_SPEC_FIELDS: readonly FieldDef[] = [
  { no: 1, name: 'name', kind: 'string' },
  { no: 2, name: 'precompiled_charsmap', kind: 'bytes' },
  { no: 3, name: 'add_dummy_prefix', kind: 'bool' },
  { no: 4, name: 'remove_extra_whitespaces', kind: 'bool' },
  { no: 5, name: 'escape_whitespaces', kind: 'bool' },
  { no: 6, name: 'normalization_rule_tsv', kind: 'string' },
];

export type SpecValue = string | number | boolean | Uint8Array | string[];
/** A proto2 message as a plain object keyed by field name; only present fields are keys. */
export type SpecMessage = Record<string, SpecValue>;

export interface ModelProto {
  pieces: ModelPiece[];
  trainerSpec?: SpecMessage;
  normalizerSpec?: SpecMessage;
  denormalizerSpec?: SpecMessage;
  /** Fields of ModelProto this codec does not interpret (e.g. self_test_data), kept verbatim. */
  extra?: { field: number; bytes: Uint8Array }[];
}

const utf8d = new TextDecoder('utf-8', { fatal: true });

function encodeMessage(defs: readonly FieldDef[], msg: SpecMessage): Uint8Array {
  const w = new ProtoWriter(256);
  for (const d of defs) {
    const v = msg[d.name];
    if (v === undefined) continue;
    const values = d.repeated ? (v as string[]) : [v];
    for (const x of values) {
      switch (d.kind) {
        case 'string': w.fieldString(d.no, x as string); break;
        case 'bytes': w.fieldBytes(d.no, x as Uint8Array); break;
        case 'int32': case 'enum': w.fieldInt32(d.no, x as number); break;
        case 'uint64': w.fieldVarint(d.no, x as number); break;
        case 'bool': w.fieldBool(d.no, x as boolean); break;
        case 'float': w.fieldFloat(d.no, x as number); break;
      }
    }
  }
  return w.finish();
}

function decodeMessage(defs: readonly FieldDef[], buf: Uint8Array, what: string): SpecMessage {
  const byNo = new Map(defs.map((d) => [d.no, d]));
  const msg: SpecMessage = {};
  for (const f of readFields(buf)) {
    const d = byNo.get(f.field);
    if (!d) continue; // unknown field: ignored, as protobuf parsers do
    const v = fieldValue(d, f, what);
    if (d.repeated) ((msg[d.name] ??= []) as string[]).push(v as string);
    else msg[d.name] = v;
  }
  return msg;
}

function fieldValue(d: FieldDef, f: ProtoField, what: string): SpecValue {
  const expect = d.kind === 'string' || d.kind === 'bytes' ? WIRE_LEN : d.kind === 'float' ? WIRE_FIXED32 : WIRE_VARINT;
  if (f.wire !== expect) throw new Error(`${what}.${d.name}: wire type ${f.wire}, expected ${expect}`);
  switch (d.kind) {
    case 'string': return utf8d.decode(f.bytes!);
    case 'bytes': return f.bytes!.slice();
    case 'bool': return f.num !== 0;
    case 'float': return fixed32ToFloat(f.num);
    default: return f.num;
  }
}

function encodePiece(p: ModelPiece): Uint8Array {
  const w = new ProtoWriter(32);
  w.fieldString(1, p.piece);
  w.fieldFloat(2, p.score);
  if (p.type !== undefined) w.fieldInt32(3, p.type);
  return w.finish();
}

/** Serializes a ModelProto: pieces (1), trainer_spec (2), normalizer_spec (3), extras, denormalizer_spec (5). */
export function encodeModelProto(m: ModelProto): Uint8Array {
  const w = new ProtoWriter(64 * 1024);
  for (const p of m.pieces) w.fieldBytes(1, encodePiece(p));
  if (m.trainerSpec) w.fieldBytes(2, encodeMessage(TRAINER_SPEC_FIELDS, m.trainerSpec));
  if (m.normalizerSpec) w.fieldBytes(3, encodeMessage(NORMALIZER_SPEC_FIELDS, m.normalizerSpec));
  for (const e of m.extra ?? []) if (e.field === 4) w.fieldBytes(4, e.bytes);
  if (m.denormalizerSpec) w.fieldBytes(5, encodeMessage(NORMALIZER_SPEC_FIELDS, m.denormalizerSpec));
  return w.finish();
}

/** Parses a `.model` file. Throws an Error describing the first malformed field. */
export function decodeModelProto(buf: Uint8Array): ModelProto {
  const m: ModelProto = { pieces: [] };
  for (const f of readFields(buf)) {
    if (f.wire !== WIRE_LEN) continue;
    if (f.field === 1) {
      const p: ModelPiece = { piece: '', score: 0 };
      for (const g of readFields(f.bytes!)) {
        if (g.field === 1 && g.wire === WIRE_LEN) p.piece = utf8d.decode(g.bytes!);
        else if (g.field === 2 && g.wire === WIRE_FIXED32) p.score = fixed32ToFloat(g.num);
        else if (g.field === 3 && g.wire === WIRE_VARINT) p.type = g.num as PieceType;
      }
      m.pieces.push(p);
    } else if (f.field === 2) m.trainerSpec = decodeMessage(TRAINER_SPEC_FIELDS, f.bytes!, 'trainer_spec');
    else if (f.field === 3) m.normalizerSpec = decodeMessage(NORMALIZER_SPEC_FIELDS, f.bytes!, 'normalizer_spec');
    else if (f.field === 5) m.denormalizerSpec = decodeMessage(NORMALIZER_SPEC_FIELDS, f.bytes!, 'denormalizer_spec');
    else (m.extra ??= []).push({ field: f.field, bytes: f.bytes!.slice() });
  }
  return m;
}

/** The byte piece name SentencePiece uses for byte b: `<0x0A>` (upper-case hex). */
export function bytePiece(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}
