/**
 * trainTokenizer: text in, a SentencePiece model out (ModelProto bytes + the .vocab side file).
 * Deterministic for a given seed and input: the model bytes do not depend on the thread count (the thread
 * count is therefore not recorded in the TrainerSpec).
 */
import { MassivetextError } from '../pipeline/errors.js';
import { writeFileAtomic } from '../pipeline/atomic-file.js';
import { WorkerPool } from '../pipeline/worker-pool.js';
import { encodeModelProto, ModelType, PieceType, type ModelPiece, type ModelProto, type SpecMessage } from './model-proto.js';
import { metaPieces } from './meta-pieces.js';
import { charsMapFor } from './nfkc-charsmap.js';
import { buildCorpus, collectSentences, emptyStats, emptyWordCounts, mergeWordCounts, SYM_BASE, type CorpusStats, type WordCounts } from './training-corpus.js';
import { resolveTrainerOptions, type ResolvedTrainerOptions, type TrainerOptions } from './trainer-options.js';
import { trainUnigram, type TrainProgress } from './unigram-trainer.js';
import { trainBpe } from './bpe-trainer.js';
import { countWordsBatch, type CountWordsInput } from './count-words-worker.js';

export interface TrainedModel {
  proto: ModelProto;
  /** The `.model` file content. */
  modelBytes: Uint8Array;
  /** The `.vocab` file content: `piece<TAB>score` per id. */
  vocabText: string;
  vocabSize: number;
  stats: CorpusStats & { seedPieces?: number; pruneRounds?: number; seconds: number };
}

export interface TrainHooks {
  onProgress?: TrainProgress;
}

const countModule = new URL('./count-words-worker.js', import.meta.url).href;
/** Lines per normalization batch sent to a worker. */
const BATCH_LINES = 20000;

export async function trainTokenizer(
  texts: AsyncIterable<string> | Iterable<string>,
  options: Partial<TrainerOptions> & TrainHooks = {},
): Promise<TrainedModel> {
  const t0 = performance.now();
  const { onProgress, ...rest } = options;
  const o = resolveTrainerOptions(rest);
  const meta = metaPieces(o);
  const charsmap = o.normalization === 'identity' ? null : charsMapFor(o.normalization);
  const stats = emptyStats();
  onProgress?.({ phase: 'reading' });
  const lines = await collectSentences(texts, o, stats);
  if (lines.length === 0) {
    throw new MassivetextError('no_training_text', 'no usable training lines (all empty, too long or missing)', 'pass non-empty text files with --input');
  }
  onProgress?.({ phase: 'normalizing', pieces: lines.length });
  const wordCounts = await countAllWords(lines, o, charsmap);
  lines.length = 0;
  const corpus = buildCorpus(wordCounts, o, stats, meta.size);
  wordCounts.mid.clear();
  wordCounts.last.clear();
  if (corpus.counts.length === 0) {
    throw new MassivetextError('no_training_text', 'every training line is empty after normalization', 'check the input encoding and --normalization');
  }
  const result = o.modelType === 'bpe'
    ? { ...trainBpe(corpus, o, meta.size, onProgress), rounds: undefined, seeds: undefined }
    : await trainUnigram(corpus, o, meta.size, onProgress);
  const toString = (syms: Int32Array) => {
    let s = '';
    for (const x of syms) s += String.fromCodePoint(corpus.alphabet[x - SYM_BASE]!);
    return s;
  };
  const normal = result.pieces.map((p) => ({ piece: toString(p.syms), score: p.score }));
  const proto = assembleModel(normal, meta, o, charsmap);
  const modelBytes = encodeModelProto(proto);
  return {
    proto,
    modelBytes,
    vocabText: vocabText(proto, o.vocabularyOutputPieceScore),
    vocabSize: proto.pieces.length,
    stats: { ...stats, seedPieces: result.seeds, pruneRounds: result.rounds, seconds: (performance.now() - t0) / 1000 },
  };
}

async function countAllWords(lines: string[], o: ResolvedTrainerOptions, charsmap: Uint8Array | null): Promise<WordCounts> {
  const batches: CountWordsInput[] = [];
  for (let i = 0; i < lines.length; i += BATCH_LINES) batches.push({ lines: lines.slice(i, i + BATCH_LINES), options: o, charsmap });
  const total = emptyWordCounts();
  const add = (m: WordCounts) => mergeWordCounts(total, m);
  if (o.threads <= 1 || batches.length <= 1) {
    for (const b of batches) add(countWordsBatch(b));
    return total;
  }
  const pool = new WorkerPool({ size: o.threads });
  try {
    for await (const m of pool.map<CountWordsInput, undefined, WordCounts>(countModule, 'countWordsBatch', undefined, batches)) add(m);
  } finally {
    await pool.close();
  }
  return total;
}

function assembleModel(normal: { piece: string; score: number }[], meta: Map<number, { piece: string; type: PieceType }>, o: ResolvedTrainerOptions, charsmap: Uint8Array | null): ModelProto {
  const pieces: ModelPiece[] = [];
  const want = o.vocabSize;
  let f = 0;
  for (let id = 0; id < want; id++) {
    const m = meta.get(id);
    if (m) pieces.push({ piece: m.piece, score: 0, type: m.type });
    else if (f < normal.length) pieces.push({ piece: normal[f]!.piece, score: normal[f++]!.score });
  }
  const seen = new Set<string>();
  for (const p of pieces) {
    if (seen.has(p.piece)) throw new MassivetextError('duplicate_piece', `piece ${JSON.stringify(p.piece)} is already defined`, 'a user-defined or control symbol collides with a learned piece; rename it');
    seen.add(p.piece);
  }
  if (pieces.length !== want) {
    if (o.hardVocabLimit) {
      throw new MassivetextError('vocab_too_large',
        `vocabulary size too high (${want}): this text supports at most ${pieces.length} pieces`,
        `lower --vocab-size to <= ${pieces.length}, add more training text, or pass hardVocabLimit=false`);
    }
  }
  const spec: SpecMessage = {
    model_type: o.modelType === 'bpe' ? ModelType.BPE : ModelType.UNIGRAM,
    vocab_size: pieces.length,
    self_test_sample_size: 0,
    input_format: '',
    character_coverage: o.characterCoverage,
    input_sentence_size: o.inputSentenceSize,
    seed_sentencepiece_size: o.seedSentencepieceSize,
    shrinking_factor: o.shrinkingFactor,
    num_sub_iterations: o.numSubIterations,
    max_sentence_length: o.maxSentenceLength,
    shuffle_input_sentence: o.shuffleInputSentence,
    max_sentencepiece_length: o.maxSentencepieceLength,
    split_by_unicode_script: o.splitByUnicodeScript,
    split_by_whitespace: o.splitByWhitespace,
    split_by_number: o.splitByNumber,
    treat_whitespace_as_suffix: o.treatWhitespaceAsSuffix,
    split_digits: o.splitDigits,
    allow_whitespace_only_pieces: o.allowWhitespaceOnlyPieces,
    vocabulary_output_piece_score: o.vocabularyOutputPieceScore,
    hard_vocab_limit: o.hardVocabLimit,
    use_all_vocab: false,
    byte_fallback: o.byteFallback,
    required_chars: o.requiredChars,
    unk_id: o.unkId,
    bos_id: o.bosId,
    eos_id: o.eosId,
    pad_id: o.padId,
    unk_surface: o.unkSurface,
    unk_piece: o.unkPiece,
    bos_piece: o.bosPiece,
    eos_piece: o.eosPiece,
    pad_piece: o.padPiece,
    train_extremely_large_corpus: false,
  };
  if (o.controlSymbols.length) spec.control_symbols = o.controlSymbols;
  if (o.userDefinedSymbols.length) spec.user_defined_symbols = o.userDefinedSymbols;
  const normalizerSpec: SpecMessage = {
    name: o.normalization,
    precompiled_charsmap: charsmap ?? new Uint8Array(0),
    add_dummy_prefix: o.addDummyPrefix,
    remove_extra_whitespaces: o.removeExtraWhitespaces,
    escape_whitespaces: true,
  };
  return { pieces, trainerSpec: spec, normalizerSpec };
}

/** C++ `ostream << float` formatting (%g, 6 significant digits), as spm_train writes .vocab scores. */
export function formatScore(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (!Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split('e');
    const mant = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!;
    const ev = Number(e);
    return `${mant}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, 5 - exp));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

export function vocabText(proto: ModelProto, withScores = true): string {
  let out = '';
  for (const p of proto.pieces) out += withScores ? `${p.piece}\t${formatScore(Math.fround(p.score))}\n` : `${p.piece}\n`;
  return out;
}

/** Writes PREFIX.model and PREFIX.vocab, each atomically. */
export async function writeModel(prefix: string, model: TrainedModel): Promise<void> {
  await writeFileAtomic(`${prefix}.model`, model.modelBytes);
  await writeFileAtomic(`${prefix}.vocab`, model.vocabText);
}
