/**
 * Cheap per-document profile for the report's histograms: word count (log2 bins) and mean word length
 * (0.5-character bins), counted as `hist:<name>:<bin>` counters so they add up across tasks like any stat.
 * A word is a maximal run of non-whitespace characters (the Gopher quality filter's reading).
 */
import type { StageStats } from '../../pipeline/index.js';

export function wordProfile(text: string): { words: number; meanWordLength: number } {
  let words = 0;
  let chars = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || (c >= 0x2000 && c <= 0x200a) || c === 0x3000;
    if (space) inWord = false;
    else {
      if (!inWord) words++;
      inWord = true;
      if ((c & 0xfc00) !== 0xdc00) chars++; // count a surrogate pair once
    }
  }
  return { words, meanWordLength: words ? chars / words : 0 };
}

/** Lower edge of the log2 bin of a word count: 0, 1, 2, 4, 8 ... */
export function wordsBin(words: number): number {
  return words < 1 ? 0 : 2 ** Math.floor(Math.log2(words));
}

export function meanWordLengthBin(m: number): number {
  return Math.min(20, Math.floor(m * 2) / 2);
}

export function profileInto(stats: StageStats, text: string, when: 'before' | 'after'): void {
  const p = wordProfile(text);
  stats.add(`hist:doc_words_${when}:${wordsBin(p.words)}`);
  stats.add(`hist:mean_word_length_${when}:${meanWordLengthBin(p.meanWordLength)}`);
}

/** Turns `hist:<name>:<bin>` counters into {edges, counts} sorted by bin. */
export function histogramsFrom(counters: Record<string, number>): Record<string, { edges: number[]; counts: number[] }> {
  const byName = new Map<string, Map<number, number>>();
  for (const [k, v] of Object.entries(counters)) {
    if (!k.startsWith('hist:')) continue;
    const [, name, bin] = k.split(':');
    if (!name || bin === undefined) continue;
    let m = byName.get(name);
    if (!m) byName.set(name, (m = new Map()));
    m.set(Number(bin), (m.get(Number(bin)) ?? 0) + v);
  }
  const out: Record<string, { edges: number[]; counts: number[] }> = {};
  for (const name of [...byName.keys()].sort()) {
    const bins = [...byName.get(name)!.entries()].sort((a, b) => a[0] - b[0]);
    out[name] = { edges: bins.map((b) => b[0]), counts: bins.map((b) => b[1]) };
  }
  return out;
}
