/**
 * C4 source: JSON lines (plain, .gz or .zst), one document a line, as released by AllenAI/TFDS
 * (`{"text", "url", "timestamp"}`) or in dolma's layout (`{"id", "text", "created", "metadata": {"url", ...}}`).
 * MassiveText takes C4 as released (Rae et al. 2021; design/gopher-spec.md section 3), so no cleaning here;
 * url and timestamp are kept in meta.
 *
 * Document id: `c4:<file name>:<line>` (stable for a given file). Counts in ctx.stats: `in` (lines),
 * `dropped:empty`, `error:malformed_json` / `error:missing_text` / `error:invalid_utf8` / `error:line_too_long`
 * (file and line in the warning), and
 * `error:truncated_input` for a truncated or corrupt compressed file, whose earlier lines are still read.
 */
import * as path from 'node:path';
import { listInputFiles } from '../../pipeline/list-input-files.js';
import {
  type Document, type DocumentMeta, readLines, RecordError, type Source, type StageContext,
} from '../../pipeline/index.js';

export interface C4SourceOptions {
  /** Also read records without a url (dolma keeps them); C4 always has one. */
  requireUrl: boolean;
}

export const defaultC4SourceOptions: C4SourceOptions = { requireUrl: false };

const JSONL_RE = /\.(?:jsonl?|json\.gz|jsonl\.gz|json\.zst|jsonl\.zst)$/i;

type Rec = Record<string, unknown>;
const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/** Meta from a C4 or dolma record. */
export function c4Meta(rec: Rec): DocumentMeta {
  const md = (rec.metadata && typeof rec.metadata === 'object' ? rec.metadata : {}) as Rec;
  const meta: DocumentMeta = {};
  const idUrl = str(rec.id) && /^https?:\/\//.test(rec.id as string) ? (rec.id as string) : undefined;
  const url = str(rec.url) ?? str(md.url) ?? idUrl;
  if (url) meta.url = url;
  const date = str(rec.timestamp) ?? str(rec.date) ?? str(md.date_download) ?? str(rec.created);
  if (date) meta.date = date;
  const language = str(md.language) ?? str(rec.language);
  if (language) meta.language = language;
  const title = str(md.title);
  if (title) meta.title = title;
  return meta;
}

class C4Source implements Source {
  readonly name = 'read:c4';
  constructor(private readonly inputs: readonly string[], private readonly o: C4SourceOptions) {}

  async *read(ctx: StageContext): AsyncGenerator<Document> {
    const fail = (e: RecordError) => {
      ctx.stats.error(e.code);
      ctx.reporter.warn(e.code, e.message, e.position);
    };
    for (const file of await listInputFiles(this.inputs, { accept: (f) => JSONL_RE.test(f) })) {
      const name = path.basename(file);
      try {
        for await (const { text: line, line: n, invalidUtf8 } of readLines(file, undefined, { onError: fail })) {
          if (ctx.signal?.aborted) return;
          if (line.trim() === '') continue;
          ctx.stats.in(line.length);
          if (invalidUtf8) {
            // JSON text must be UTF-8 (RFC 8259 section 8.1): raw invalid bytes mean a corrupt or mis-encoded line.
            fail(new RecordError('invalid_utf8', `${file}, line ${n}: the line is not valid UTF-8; skipped`, { file, line: n }));
            continue;
          }
          let rec: Rec;
          try {
            const v = JSON.parse(line) as unknown;
            if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
            rec = v as Rec;
          } catch (e) {
            fail(new RecordError('malformed_json', `${file}, line ${n}: ${(e as Error).message}`, { file, line: n }));
            continue;
          }
          if (typeof rec.text !== 'string') {
            fail(new RecordError('missing_text', `${file}, line ${n}: record has no "text" string`, { file, line: n }));
            continue;
          }
          if (rec.text.trim() === '') {
            ctx.stats.dropped('empty');
            continue;
          }
          const meta = c4Meta(rec);
          if (this.o.requireUrl && !meta.url) {
            ctx.stats.dropped('no_url');
            continue;
          }
          meta.source = file;
          yield { id: `c4:${name}:${n}`, subset: 'c4', text: rec.text, meta };
        }
      } catch (e) {
        if (e instanceof RecordError) fail(e);
        else throw e;
      }
    }
  }
}

/** C4 JSON lines as `c4` documents with id `c4:<file name>:<line>`, url and timestamp in meta. */
export function c4Source(inputs: readonly string[], options: Partial<C4SourceOptions> = {}): Source {
  return new C4Source(inputs, { ...defaultC4SourceOptions, ...options });
}
