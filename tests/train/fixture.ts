/**
 * Token shards made from real bundled text (shared/corpora): books (Project Gutenberg, cut into
 * ~2,000-word documents), c4 (real C4/CCNet documents) and news (article bodies of the Zyte benchmark).
 * Tokenized with a frequency-ranked word vocabulary built from the same text (ids 0 unk, 1 bos, 2 eos),
 * written with tokenizer/token-shards.ts exactly as `massivetext sample` lays out a sample directory:
 * DIR/<subset>/part-NNNNN.bin + .idx + manifest.json, and DIR/manifest.json with the weights.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TokenShardSetWriter } from '../../pipeline/token-shards.js';
import { corpus } from '../helpers/corpora.js';

export interface FixtureOptions {
  /** Declared vocabulary (the model's output size). 8,192 like a bundled-sample tokenizer: 4x cheaper logits than 32k on CI's 2 cores. */
  vocabSize: number;
  /** Documents per shard (small, so the plan crosses shard boundaries). */
  shardTokens: number;
  weights: Record<string, number>;
  /** Most frequent words kept whole; the rest are cut into pieces. */
  wholeWords: number;
  /** Letters per piece of the other words. */
  pieceSize: number;
}

export const defaultFixtureOptions: FixtureOptions = { vocabSize: 8192, shardTokens: 40_000, weights: { books: 0.5, c4: 0.25, news: 0.25 }, wholeWords: 1000, pieceSize: 1 };

function realDocuments(): Record<string, string[]> {
  const books: string[] = [];
  const bookDir = corpus('books/gutenberg-clean');
  for (const f of fs.readdirSync(bookDir).sort()) {
    const words = fs.readFileSync(path.join(bookDir, f), 'utf8').split(/(?<=\s)/);
    for (let i = 0; i < words.length; i += 2000) books.push(words.slice(i, i + 2000).join(''));
  }
  const c4: string[] = [];
  const c4Dir = corpus('c4');
  for (const f of fs.readdirSync(c4Dir).sort()) {
    for (const line of gunzipSync(fs.readFileSync(path.join(c4Dir, f))).toString('utf8').split('\n')) {
      if (line.trim()) c4.push(String((JSON.parse(line) as { text?: string; raw_content?: string }).text ?? (JSON.parse(line) as { raw_content?: string }).raw_content ?? ''));
    }
  }
  const gt = JSON.parse(fs.readFileSync(corpus('news-html/aeb/ground-truth.json'), 'utf8')) as Record<string, { articleBody: string }>;
  const news = Object.keys(gt).sort().map((k) => gt[k]!.articleBody);
  return { books, c4: c4.filter(Boolean), news };
}

const WORD = /[A-Za-z]+|\d|[^\sA-Za-z\d]/g;

/**
 * A stand-in for a subword tokenizer: the `wholeWords` most frequent words are one piece each, every
 * other word is cut into `pieceSize`-letter pieces (the first marked as a word start, as SentencePiece marks
 * "\u2581"). Real text keeps its Zipfian statistics; the open vocabulary becomes a closed one.
 */
function pieces(words: string[], whole: Set<string>, size: number): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (whole.has(w) || w.length <= size) out.push(w);
    else for (let i = 0; i < w.length; i += size) out.push((i === 0 ? '\u2581' : '') + w.slice(i, i + size));
  }
  return out;
}

export async function writeFixtureSample(dir: string, options: Partial<FixtureOptions> = {}): Promise<{ dir: string; tokens: Record<string, number>; vocabSize: number; entropy: number; pieces: number }> {
  const o = { ...defaultFixtureOptions, ...options };
  const docs = realDocuments();
  const wordFreq = new Map<string, number>();
  const split: Record<string, string[][]> = {};
  for (const [subset, texts] of Object.entries(docs)) {
    split[subset] = texts.map((t) => t.toLowerCase().match(WORD) ?? []);
    for (const words of split[subset]!) for (const w of words) wordFreq.set(w, (wordFreq.get(w) ?? 0) + 1);
  }
  const whole = new Set([...wordFreq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, o.wholeWords).map(([w]) => w));
  const freq = new Map<string, number>();
  const tokenized: Record<string, string[][]> = {};
  for (const subset of Object.keys(split)) {
    tokenized[subset] = split[subset]!.map((words) => pieces(words, whole, o.pieceSize));
    for (const ps of tokenized[subset]!) for (const p of ps) freq.set(p, (freq.get(p) ?? 0) + 1);
  }
  const ranked = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, o.vocabSize - 3);
  const ids = new Map(ranked.map(([w], i) => [w, i + 3]));
  const tokens: Record<string, number> = {};
  for (const subset of Object.keys(tokenized)) {
    const w = new TokenShardSetWriter(path.join(dir, subset), { vocabSize: o.vocabSize, eosId: 2, shardTokens: o.shardTokens, meta: { subset } });
    for (const words of tokenized[subset]!) {
      if (words.length) await w.addDocument(words.map((x) => ids.get(x) ?? 0));
    }
    tokens[subset] = (await w.finish()).tokens;
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ vocabSize: o.vocabSize, eosId: 2, weights: o.weights }, null, 2));
  return { dir, tokens, vocabSize: o.vocabSize, entropy: unigramEntropy(freq), pieces: freq.size };
}

/** Unigram entropy (nats) of the fixture's token stream: the floor a 50-step model approaches. */
function unigramEntropy(freq: Map<string, number>): number {
  let n = 0;
  for (const c of freq.values()) n += c;
  let h = 0;
  for (const c of freq.values()) h -= (c / n) * Math.log(c / n);
  return h;
}
