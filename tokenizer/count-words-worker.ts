/** Worker entry for normalization + word counting of one batch of training lines (side-effect free). */
import { countWords, type WordCounts } from './training-corpus.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';

export interface CountWordsInput {
  lines: string[];
  options: ResolvedTrainerOptions;
  charsmap: Uint8Array | null;
}

export function countWordsBatch(input: CountWordsInput): WordCounts {
  return countWords(input.lines, input.options, input.charsmap);
}
