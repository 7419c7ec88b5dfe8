/**
 * Options of the tokenizer trainer. Names are spm_train's flags in camelCase and mean the same thing;
 * defaults are SentencePiece's (TrainerSpec, sentencepiece_model.proto; tokenizer.md §1.13) unless a
 * comment says why ours differ.
 */
import { availableParallelism } from 'node:os';
import { MassivetextError } from '../pipeline/errors.js';

export type Normalization = 'nfkc' | 'nmt_nfkc' | 'identity';

export interface TrainerOptions {
  /** Gopher: 32,000 pieces (Rae et al. 2021, §A.1 / gopher-spec.md). spm_train's default is 8000. */
  vocabSize: number;
  modelType: 'unigram' | 'bpe';
  /** Fraction of character occurrences the alphabet must cover (spm default 0.9995; range 0.98..1). */
  characterCoverage: number;
  /** Gopher used "byte-level backoff" (tokenizer.md §6); spm's default is false. */
  byteFallback: boolean;
  /**
   * 'nfkc' (default, Gopher: NFKC): Unicode NFKC only — newlines, tabs and runs of spaces are kept (a newline
   * is encoded as the byte piece <0x0A>), so code and poetry survive a round trip. 'nmt_nfkc': spm_train's
   * default (NFKC + whitespace/control folding: newline and tab become spaces). 'identity': no rewriting
   * (Chinchilla dropped NFKC, Hoffmann et al. 2022).
   */
  normalization: Normalization;
  /** Prefix every text with one U+2581 (spm default true). */
  addDummyPrefix: boolean;
  /**
   * Collapse runs of spaces and strip leading/trailing spaces. spm's default is true; ours is false with
   * 'nfkc' and 'identity' so indentation survives (LLaMA's setting, tokenizer.md §4.3), true with 'nmt_nfkc'.
   */
  removeExtraWhitespaces: boolean | 'auto';
  /** Lines sampled for training (0 = all; spm: must be 0 or > 100). */
  inputSentenceSize: number;
  /** Reservoir-sample inputSentenceSize lines instead of taking the first ones (spm default true). */
  shuffleInputSentence: boolean;
  /** Seed of the sampler. Training is deterministic for a given seed and input, whatever the thread count. */
  seed: number;
  /** Worker threads for normalization, the E-step and pruning; defaults to the machine's parallelism. */
  threads: number;
  /** Lines longer than this many UTF-8 bytes are skipped (spm default 4192). */
  maxSentenceLength: number;
  /** Longest piece in code points (spm default 16, range 1..512). */
  maxSentencepieceLength: number;
  splitByUnicodeScript: boolean;
  splitByNumber: boolean;
  splitByWhitespace: boolean;
  /** Digits become single-character pieces (spm default false; LLaMA true). */
  splitDigits: boolean;
  treatWhitespaceAsSuffix: boolean;
  /** Allow pieces made only of U+2581 (runs of spaces; spm default false, ours true so indentation compresses). */
  allowWhitespaceOnlyPieces: boolean;
  /** Unigram: number of seed substrings (spm default 1,000,000). */
  seedSentencepieceSize: number;
  /** Unigram: fraction of pieces kept per pruning round (spm default 0.75, range 0.5..0.95). */
  shrinkingFactor: number;
  /** Unigram: EM iterations between prunings (spm default 2, range 1..10). */
  numSubIterations: number;
  unkId: number;
  bosId: number;
  eosId: number;
  /** -1 disables the padding piece (spm default). */
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
  unkSurface: string;
  controlSymbols: string[];
  userDefinedSymbols: string[];
  /** Characters always in the alphabet, whatever their frequency. */
  requiredChars: string;
  /** Fail when the corpus cannot yield vocabSize pieces (spm default true); false shrinks the vocabulary. */
  hardVocabLimit: boolean;
  vocabularyOutputPieceScore: boolean;
  /**
   * Unigram pruning loss (not an spm_train flag): '0.1.97' re-normalizes with the number of pieces, as the
   * Debian spm_train does (google/sentencepiece#628); 'master' with the number of alternatives (fixed in
   * 0.1.99). On botchan (2k vocab) '0.1.97' gave 0.7% fewer held-out tokens and 99% vocabulary overlap with
   * spm_train 0.1.97, 'master' 98% overlap.
   */
  pruneLossFormula: '0.1.97' | 'master';
}

export const defaultTrainerOptions: Readonly<TrainerOptions> = Object.freeze({
  vocabSize: 32000,
  modelType: 'unigram',
  characterCoverage: 0.9995,
  byteFallback: true,
  normalization: 'nfkc',
  addDummyPrefix: true,
  removeExtraWhitespaces: 'auto',
  inputSentenceSize: 0,
  shuffleInputSentence: true,
  seed: 12345678, // spm's fixed sampler seed (trainer_interface.cc kSeed)
  threads: Math.max(1, availableParallelism()),
  maxSentenceLength: 4192,
  maxSentencepieceLength: 16,
  splitByUnicodeScript: true,
  splitByNumber: true,
  splitByWhitespace: true,
  splitDigits: false,
  treatWhitespaceAsSuffix: false,
  allowWhitespaceOnlyPieces: true,
  seedSentencepieceSize: 1_000_000,
  shrinkingFactor: 0.75,
  numSubIterations: 2,
  unkId: 0,
  bosId: 1,
  eosId: 2,
  padId: -1,
  unkPiece: '<unk>',
  bosPiece: '<s>',
  eosPiece: '</s>',
  padPiece: '<pad>',
  unkSurface: ' \u2047 ',
  controlSymbols: [],
  userDefinedSymbols: [],
  requiredChars: '',
  hardVocabLimit: true,
  vocabularyOutputPieceScore: true,
  pruneLossFormula: '0.1.97',
}) as Readonly<TrainerOptions>;

export interface ResolvedTrainerOptions extends TrainerOptions {
  removeExtraWhitespaces: boolean;
}

/** Merges with defaults and validates ranges as spm_train's VerifySpec does. */
export function resolveTrainerOptions(partial: Partial<TrainerOptions>): ResolvedTrainerOptions {
  const o = { ...defaultTrainerOptions, ...stripUndefined(partial) } as TrainerOptions;
  const bad = (field: string, msg: string) =>
    new MassivetextError('bad_tokenizer_option', `tokenizer option ${field} ${msg}`, 'see `massivetext tokenizer train --help` for the valid ranges');
  const intIn = (field: keyof TrainerOptions, lo: number, hi: number) => {
    const v = o[field] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw bad(field, `must be an integer in ${lo}..${hi}, got ${v}`);
  };
  intIn('vocabSize', 1, 1 << 24);
  if (o.modelType !== 'unigram' && o.modelType !== 'bpe') throw bad('modelType', `must be unigram or bpe, got ${o.modelType}`);
  if (!(o.characterCoverage >= 0.98 && o.characterCoverage <= 1)) throw bad('characterCoverage', `must be in 0.98..1, got ${o.characterCoverage}`);
  if (!['nfkc', 'nmt_nfkc', 'identity'].includes(o.normalization)) throw bad('normalization', `must be nfkc, nmt_nfkc or identity, got ${o.normalization}`);
  intIn('inputSentenceSize', 0, Number.MAX_SAFE_INTEGER);
  if (o.inputSentenceSize > 0 && o.inputSentenceSize <= 100) throw bad('inputSentenceSize', 'must be 0 or > 100');
  intIn('threads', 1, 1024);
  intIn('maxSentenceLength', 10, 1 << 30);
  intIn('maxSentencepieceLength', 1, 512);
  intIn('seedSentencepieceSize', 1, 1 << 28);
  if (!(o.shrinkingFactor >= 0.5 && o.shrinkingFactor <= 0.95)) throw bad('shrinkingFactor', `must be in 0.5..0.95, got ${o.shrinkingFactor}`);
  intIn('numSubIterations', 1, 10);
  intIn('seed', 0, 2 ** 32 - 1);
  if (o.unkId < 0) throw bad('unkId', 'must be >= 0 (<unk> is mandatory)');
  const ids = [o.unkId, o.bosId, o.eosId, o.padId].filter((x) => x >= 0);
  if (new Set(ids).size !== ids.length) throw bad('unkId/bosId/eosId/padId', 'must be distinct');
  if (ids.some((x) => x >= o.vocabSize)) throw bad('unkId/bosId/eosId/padId', 'must be < vocabSize');
  if (o.pruneLossFormula !== '0.1.97' && o.pruneLossFormula !== 'master') throw bad('pruneLossFormula', `must be 0.1.97 or master, got ${o.pruneLossFormula}`);
  const removeExtra = o.removeExtraWhitespaces === 'auto' ? o.normalization === 'nmt_nfkc' : o.removeExtraWhitespaces;
  return { ...o, removeExtraWhitespaces: removeExtra, controlSymbols: [...o.controlSymbols], userDefinedSymbols: [...o.userDefinedSymbols] };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
