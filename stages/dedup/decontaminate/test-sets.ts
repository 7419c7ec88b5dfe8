/**
 * Evaluation sets to decontaminate against, read from files: JSON lines (one test document per line,
 * its text in the first string field among `text`, `passage`, `article`, `document`, `content`,
 * `context`, `sentence`, `question`) or plain text (one test document per non-empty line, or the whole
 * file, or blocks separated by blank lines). Plain/.gz/.zst. The set's name is the file name without
 * extensions (`lambada_test.jsonl.gz` -> `lambada_test`) unless given as `name=path`.
 */
import * as path from 'node:path';
import { MassivetextError } from '../../../pipeline/errors.js';
import { readLines } from '../../../pipeline/lines.js';

export type PlainSplit = 'line' | 'blank-line' | 'file';

export interface TestSetSpec {
  name: string;
  file: string;
}

export const TEXT_FIELDS = ['text', 'passage', 'article', 'document', 'content', 'context', 'sentence', 'question'];

/** Parses `name=path` or `path`. */
export function testSetSpec(arg: string): TestSetSpec {
  const eq = arg.indexOf('=');
  if (eq > 0 && !arg.slice(0, eq).includes(path.sep)) return { name: arg.slice(0, eq), file: arg.slice(eq + 1) };
  const base = path.basename(arg).replace(/(\.(gz|zst|zstd))$/, '').replace(/\.(jsonl|json|ndjson|txt|text|raw|tokens)$/, '');
  return { name: base, file: arg };
}

function isJsonFile(file: string): boolean {
  return /\.(jsonl|json|ndjson)(\.(gz|zst|zstd))?$/.test(file);
}

/** Streams the test documents of one file. Malformed JSON lines raise a clear error (a test set must be clean). */
export async function* readTestSet(spec: TestSetSpec, split: PlainSplit = 'line'): AsyncGenerator<string> {
  let any = false;
  try {
    if (isJsonFile(spec.file)) {
      for await (const { text, line } of readLines(spec.file)) {
        if (!text.trim()) continue;
        let obj: unknown;
        try {
          obj = JSON.parse(text);
        } catch (e) {
          throw new MassivetextError('bad_test_set', `${spec.file}, line ${line}: malformed JSON: ${(e as Error).message}`,
            'a test set in JSON lines needs one object per line with a text field', { file: spec.file, line });
        }
        const o = obj as Record<string, unknown>;
        const field = typeof obj === 'string' ? obj : TEXT_FIELDS.map((f) => o?.[f]).find((v) => typeof v === 'string');
        if (typeof field !== 'string') {
          throw new MassivetextError('bad_test_set', `${spec.file}, line ${line}: no text field (looked for ${TEXT_FIELDS.join(', ')})`,
            'give the test set as JSON lines with a "text" field, or as plain text', { file: spec.file, line });
        }
        any = true;
        yield field;
      }
    } else {
      let block: string[] = [];
      for await (const { text } of readLines(spec.file)) {
        if (split === 'line') {
          if (text.trim()) { any = true; yield text; }
        } else if (split === 'blank-line' && !text.trim()) {
          if (block.length) { any = true; yield block.join('\n'); }
          block = [];
        } else block.push(text);
      }
      if (block.length && block.join('').trim()) { any = true; yield block.join('\n'); }
    }
  } catch (e) {
    if (e instanceof MassivetextError) throw e;
    throw new MassivetextError('bad_test_set', `cannot read test set ${spec.file}: ${(e as Error).message}`,
      'check the --against path', { file: spec.file }, { cause: e });
  }
  if (!any) {
    throw new MassivetextError('bad_test_set', `test set ${spec.file} has no documents`, 'check the file and its format', { file: spec.file });
  }
}
