/** Cheap per-document statistics for reports, from the same single pass the Gopher filters share. */
import { analyzeText } from './text-analysis.js';

export interface DocumentStats {
  /** Unicode code points. */
  characters: number;
  nonWhitespaceCharacters: number;
  /** Whitespace-separated words. */
  words: number;
  meanWordLength: number;
  lines: number;
  nonBlankLines: number;
}

export function documentStats(text: string): DocumentStats {
  const a = analyzeText(text);
  return {
    characters: a.codePoints,
    nonWhitespaceCharacters: a.nonWhitespace,
    words: a.wordCount,
    meanWordLength: a.wordCount ? a.wordChars / a.wordCount : 0,
    lines: a.lineCount,
    nonBlankLines: a.nonBlankLines,
  };
}
