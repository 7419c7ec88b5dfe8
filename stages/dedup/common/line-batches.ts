/**
 * Streams a JSON-lines part as batches of raw lines (blank lines skipped, as readDocuments does), so
 * that parsing happens on the worker threads and the reading thread only decompresses and splits.
 */
import { readLines } from '../../../pipeline/lines.js';

export interface LineBatch {
  file: string;
  lines: string[];
  /** 1-based line number of each line, for error positions. */
  lineNos: number[];
}

export async function* lineBatches(file: string, maxLines: number, maxChars: number): AsyncGenerator<LineBatch> {
  let lines: string[] = [];
  let lineNos: number[] = [];
  let chars = 0;
  for await (const { text, line } of readLines(file)) {
    if (!text.trim()) continue;
    lines.push(text);
    lineNos.push(line);
    chars += text.length;
    if (lines.length >= maxLines || chars >= maxChars) {
      yield { file, lines, lineNos };
      lines = [];
      lineNos = [];
      chars = 0;
    }
  }
  if (lines.length) yield { file, lines, lineNos };
}
