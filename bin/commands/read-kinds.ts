/**
 * Every source kind `massivetext read` and recipes can name, as a table kind -> ReadKind. Importing this
 * loads all the sources (the extractor, the crawler, ...), so commands import it when they run, not at
 * start-up; read-kind-list.ts has the names and descriptions for help texts.
 */
import { documentToJson } from '../../pipeline/document.js';
import type { Sink } from '../../pipeline/stage.js';
import { jsonlSource } from '../../stages/jsonl/index.js';
import { writeOut } from '../cli-io.js';
import { corpusReadKinds } from './read-corpus.js';
import { readKindDescriptions } from './read-kind-list.js';
import type { ReadKind } from './read.js';
import { webReadKinds } from './read-web.js';

export const jsonlReadKinds: Record<string, ReadKind> = {
  jsonl: {
    describe: readKindDescriptions.jsonl!,
    open: (inputs, opts) => jsonlSource(inputs, { subset: (opts.subset as never) ?? 'web' }),
  },
};

/** All kinds known to `read` (and to recipes). Families add their tables here. */
export function readKinds(): Record<string, ReadKind> {
  return { ...jsonlReadKinds, ...corpusReadKinds, ...webReadKinds };
}

export const stdoutSink = (limit: number): Sink => ({
  name: 'stdout',
  async write(input) {
    let n = 0;
    for await (const d of input) {
      await writeOut(documentToJson(d) + '\n');
      if (limit && ++n >= limit) break;
    }
  },
});
