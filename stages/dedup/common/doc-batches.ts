/** Streams a part's documents in batches (by count and bytes) for the worker pool, numbering them by ordinal. */
import { readDocuments } from '../../../pipeline/document-parts.js';
import type { Document } from '../../../pipeline/document.js';
import type { RecordError } from '../../../pipeline/errors.js';

export interface DocBatch {
  /** Ordinal of the first document. */
  first: number;
  docs: Document[];
}

export async function* docBatches(file: string, maxDocs: number, maxChars: number,
  onError: (e: RecordError) => void): AsyncGenerator<DocBatch> {
  let docs: Document[] = [];
  let chars = 0;
  let next = 0;
  for await (const doc of readDocuments(file, { onError })) {
    docs.push(doc);
    chars += doc.text.length;
    if (docs.length >= maxDocs || chars >= maxChars) {
      yield { first: next, docs };
      next += docs.length;
      docs = [];
      chars = 0;
    }
  }
  if (docs.length) yield { first: next, docs };
}
