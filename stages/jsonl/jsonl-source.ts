/**
 * Documents from JSON lines files (plain, .gz or .zst): `{"id", "text"}` suffice, `subset` and `meta`
 * are kept when present. A malformed line (bad JSON, not UTF-8, over the line cap) is counted as
 * `error:<code>` with file and line, then skipped.
 */
import { type Document, parseDocumentLine, readLines, RecordError, type Source, type StageContext, type Subset } from '../../pipeline/index.js';

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
        try {
          for await (const { text, line, invalidUtf8 } of readLines(file, undefined, { onError })) {
            if (!text.trim()) continue;
            let doc: Document;
            try {
              // JSON text must be UTF-8 (RFC 8259 section 8.1): raw invalid bytes mean a corrupt or mis-encoded line.
              if (invalidUtf8) throw new RecordError('invalid_utf8', `${file}, line ${line}: the line is not valid UTF-8; skipped`, { file, line });
              doc = parseDocumentLine(text, { file, line }, o.subset);
            } catch (e) {
              if (!(e instanceof RecordError)) throw e;
              onError(e);
              continue;
            }
            ctx.stats.in(Buffer.byteLength(doc.text));
            yield doc;
            if (o.limit && ++n >= o.limit) return;
          }
        } catch (e) {
          if (!(e instanceof RecordError)) throw e;
          onError(e);
        }
      }
    },
  };
}
