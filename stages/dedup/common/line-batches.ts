/**
 * Streams a JSON-lines part as batches of raw lines (blank lines skipped, as readDocuments does), so
 * that parsing happens on the worker threads and the reading thread only decompresses and splits.
 */
import { RecordError } from '../../../pipeline/errors.js';
import { readLines } from '../../../pipeline/lines.js';

export interface LineBatch {
  file: string;
  lines: string[];
  /** 1-based line number of each line, for error positions. */
  lineNos: number[];
}

/** With `onError`, an over-long line or a truncated/corrupt compressed stream is reported there (the
 *  lines before the damage are kept); without it, it is thrown. */
export async function* lineBatches(file: string, maxLines: number, maxChars: number, onError?: (e: RecordError) => void): AsyncGenerator<LineBatch> {
  let lines: string[] = [];
  let lineNos: number[] = [];
  let chars = 0;
  try {
    for await (const { text, line, invalidUtf8 } of readLines(file, undefined, onError ? { onError } : {})) {
      if (!text.trim()) continue;
      if (invalidUtf8) {
        // skipped exactly as readDocuments skips it, so document ordinals stay aligned with the filter pass
        const e = new RecordError('invalid_utf8', `${file}, line ${line}: the line is not valid UTF-8; skipped`, { file, line });
        if (!onError) throw e;
        onError(e);
        continue;
      }
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
  } catch (e) {
    if (!(e instanceof RecordError) || !onError) throw e;
    onError(e);
  }
  if (lines.length) yield { file, lines, lineNos };
}
