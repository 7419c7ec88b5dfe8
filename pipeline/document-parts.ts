/**
 * Document parts: JSON lines compressed with zstd (`part-NNNNN.jsonl.zst`), written atomically.
 * Reading is streaming; a malformed line is a RecordError (file + line) that the caller counts and skips.
 */
import { Compressor } from 'zstd-napi';
import { AtomicWriter } from './atomic-file.js';
import { type Document, documentToJson, isSubset, type Subset } from './document.js';
import { RecordError } from './errors.js';
import { readLines } from './lines.js';

export interface PartWriteOptions {
  /** zstd level; 3 is zstd's default and the CLI's. */
  level: number;
}
export const defaultPartWriteOptions: PartWriteOptions = { level: 3 };

export function partName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.jsonl.zst`;
}

/** Buffers lines and compresses them in blocks into one zstd frame per block (a valid multi-frame stream). */
export class DocumentPartWriter {
  private writer: AtomicWriter;
  private compressor: Compressor;
  private buf: string[] = [];
  private bufBytes = 0;
  docs = 0;
  rawBytes = 0;
  private static readonly BLOCK = 4 << 20;

  private constructor(writer: AtomicWriter, level: number) {
    this.writer = writer;
    this.compressor = new Compressor();
    this.compressor.setParameters({ compressionLevel: level });
  }

  static async open(file: string, options: Partial<PartWriteOptions> = {}): Promise<DocumentPartWriter> {
    const o = { ...defaultPartWriteOptions, ...options };
    return new DocumentPartWriter(await AtomicWriter.open(file), o.level);
  }

  get file(): string {
    return this.writer.file;
  }

  async add(doc: Document): Promise<void> {
    await this.addLine(documentToJson(doc));
  }

  async addLine(json: string): Promise<void> {
    this.buf.push(json, '\n');
    this.bufBytes += json.length + 1;
    this.docs++;
    if (this.bufBytes >= DocumentPartWriter.BLOCK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.buf.length) return;
    const raw = Buffer.from(this.buf.join(''), 'utf8');
    this.rawBytes += raw.length;
    this.buf = [];
    this.bufBytes = 0;
    await this.writer.write(this.compressor.compress(raw));
  }

  /** Flushes, fsyncs and renames into place. An empty part is a valid empty file. */
  async commit(): Promise<void> {
    try {
      await this.flush();
    } catch (e) {
      await this.writer.abort();
      throw e;
    }
    await this.writer.commit();
  }

  async abort(): Promise<void> {
    await this.writer.abort();
  }
}

export async function writeDocumentPart(file: string, docs: Iterable<Document> | AsyncIterable<Document>,
  options: Partial<PartWriteOptions> = {}): Promise<{ docs: number; rawBytes: number }> {
  const w = await DocumentPartWriter.open(file, options);
  try {
    for await (const d of docs) await w.add(d);
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return { docs: w.docs, rawBytes: w.rawBytes };
}

export interface ReadDocumentsOptions {
  /** Subset to assume when a line has none (plain JSON lines input). */
  defaultSubset?: Subset;
  /** Called for each malformed line; the line is skipped. Without it, the error is thrown. */
  onError?: (e: RecordError) => void;
}

/** Parses one JSON line into a Document; `id` and `text` suffice. */
export function parseDocumentLine(text: string, position: { file: string; line: number }, defaultSubset: Subset = 'web'): Document {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new RecordError('malformed_json', `malformed JSON: ${(e as Error).message}`, position,
      'each line must be one JSON object like {"id": "...", "text": "..."}');
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new RecordError('malformed_json', 'line is not a JSON object', position);
  }
  const o = obj as Record<string, unknown>;
  if (typeof o.text !== 'string') throw new RecordError('missing_text', 'document has no string "text" field', position);
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : `${position.file}:${position.line}`;
  const subset = isSubset(o.subset) ? o.subset : defaultSubset;
  const meta = typeof o.meta === 'object' && o.meta !== null && !Array.isArray(o.meta) ? (o.meta as Document['meta']) : {};
  return { id, subset, text: o.text, meta };
}

/**
 * Streams the documents of a part (or any JSON lines file, plain/.gz/.zst). With `onError`, bad data is
 * reported there and reading goes on: a malformed, non-UTF-8 or over-long line is skipped, and a truncated
 * or corrupt compressed stream ends the file after the documents before the damage. Without it, it throws.
 */
export async function* readDocuments(file: string, options: ReadDocumentsOptions = {}): AsyncGenerator<Document> {
  const onError = options.onError;
  try {
    for await (const { text, line, invalidUtf8 } of readLines(file, undefined, onError ? { onError } : {})) {
      if (!text.trim()) continue;
      let doc: Document;
      try {
        // JSON text must be UTF-8 (RFC 8259 section 8.1): raw invalid bytes mean a corrupt or mis-encoded line.
        if (invalidUtf8) throw new RecordError('invalid_utf8', `${file}, line ${line}: the line is not valid UTF-8; skipped`, { file, line });
        doc = parseDocumentLine(text, { file, line }, options.defaultSubset);
      } catch (e) {
        if (e instanceof RecordError && onError) {
          onError(e);
          continue;
        }
        throw e;
      }
      yield doc;
    }
  } catch (e) {
    if (e instanceof RecordError && onError) onError(e);
    else throw e;
  }
}
