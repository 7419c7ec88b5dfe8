/**
 * A planted near-duplicate corpus from real books (shared/corpora/books): the books are cut into
 * documents of 150-900 words at paragraph boundaries; Botchan supplies the words for edits and
 * insertions; a raw Project Gutenberg header/footer supplies the boilerplate.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeDocumentPart } from '../../../pipeline/document-parts.js';
import type { Document } from '../../../pipeline/document.js';
import { chunkText, plantNearDuplicates, type PlantOptions, type PlantedPair } from './planted-near-duplicates.js';

export const PLANTED_BOOKS = ['gutenberg-clean/10026.txt', 'gutenberg-clean/10089.txt', 'gutenberg-clean/1013.txt',
  'gutenberg-clean/33956.txt', 'gitenberg-972/972.txt'];

export function plantedBookCorpus(booksDir: string, options: Partial<PlantOptions> = {}, maxBases = Infinity): { docs: Document[]; pairs: PlantedPair[] } {
  const bases = PLANTED_BOOKS.flatMap((f, bi) => chunkText(readFileSync(path.join(booksDir, f), 'utf8'))
    .map((text, i) => ({ id: `book${bi}-${i}`, text }))).slice(0, maxBases);
  const filler = readFileSync(path.join(booksDir, 'sentencepiece-botchan.txt'), 'utf8');
  const raw = readFileSync(path.join(booksDir, 'gutenberg-raw/10026.txt'), 'utf8').split('\n');
  const boilerplate = [...raw.slice(0, 40), ...raw.slice(-300)].filter((l) => l.trim());
  return plantNearDuplicates(bases, filler, boilerplate, options);
}

/** Writes docs round-robin into `parts` part files under dir; returns their paths. */
export async function writeParts(docs: Document[], dir: string, parts: number): Promise<string[]> {
  const files: string[] = [];
  for (let p = 0; p < parts; p++) {
    const f = path.join(dir, `in-${p}.jsonl.zst`);
    await writeDocumentPart(f, docs.filter((_, i) => i % parts === p));
    files.push(f);
  }
  return files;
}
