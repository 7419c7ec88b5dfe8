/**
 * Documents from JSON lines files (plain, .gz or .zst): `{"id", "text"}` suffice, `subset` and `meta`
 * are kept when present. A malformed line (bad JSON, not UTF-8, over the line cap) is counted as
 * `error:<code>` with file and line, then skipped.
 */
import { type Document, readDocuments, type RecordError, type Source, type StageContext, type Subset } from '../../pipeline/index.js';

export interface JsonlSourceOptions {
  /** Subset for lines that carry none. */
  subset: Subset;
  /** Stop after this many documents in total (0 = no limit). */
  limit: number;
}

export const defaultJsonlSourceOptions: JsonlSourceOptions = { subset: 'web', limit: 0 };

export function jsonlSource(inputs: string[], options: Partial<JsonlSourceOptions> = {}): Source {
  const o = { ...defaultJsonlSourceOptions, ...options };
  return {
    name: 'read-jsonl',
    async *read(ctx: StageContext): AsyncIterable<Document> {
      let n = 0;
      for (const file of inputs) {
        const onError = (e: RecordError) => {
          ctx.stats.error(e.code);
          ctx.reporter.warn(e.code, e.message, e.position);
        };
        for await (const doc of readDocuments(file, { onError, defaultSubset: o.subset })) {
          ctx.stats.in(Buffer.byteLength(doc.text));
          yield doc;
          if (o.limit && ++n >= o.limit) return;
        }
      }
    },
  };
}
