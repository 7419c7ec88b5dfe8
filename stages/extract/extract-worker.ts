/**
 * Worker-thread entry for extraction (side-effect free): a batch of documents in, their main text out,
 * in pipeline/batch-stage.ts's BatchResult contract. Documents whose `meta.format` is not "html" pass
 * through unchanged; a page with no main text left is dropped as `empty_extraction`.
 */
import type { Document } from '../../pipeline/document.js';
import { drop, KEEP, type Verdict } from '../../pipeline/stage.js';
import type { BatchResult } from '../../pipeline/batch-stage.js';
import { extractMainText, type ExtractOptions } from './extract-main-text.js';

/** Extracts one HTML document; null when nothing is left. */
export function extractDocument(doc: Document, options: Partial<ExtractOptions> = {}): Document | null {
  if (doc.meta.format !== 'html') return doc;
  const r = extractMainText(doc.text, doc.meta.url, options);
  if (!r.text.trim()) return null;
  const meta = { ...doc.meta };
  delete meta.format;
  if (!meta.title && r.title) meta.title = r.title;
  return { id: doc.id, subset: doc.subset, text: r.text, meta };
}

export function extractDocuments(docs: Document[], options: Partial<ExtractOptions>): BatchResult {
  const verdicts: Verdict[] = [];
  const out: (Document | null)[] = [];
  for (const d of docs) {
    const r = extractDocument(d, options);
    verdicts.push(r ? KEEP : drop('empty_extraction'));
    out.push(r);
  }
  return { verdicts, docs: out };
}
