/**
 * Test fixture: a `tokens/` directory built from the real text fixtures in ../shared/corpora, one
 * subset per source family, encoded with a trivial deterministic byte-level mapping (id = byte + 3,
 * EOS = 2, vocabulary 259; or id = byte + 65536 with a 70,000 vocabulary to get 4-byte shards). The
 * real tokenizer lives in tokenizer/; shards and sampling only need deterministic ids.
 * github is deliberately absent, so weight renormalisation is exercised.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TokenShardSetWriter } from '../../pipeline/token-shards.js';
import { corpus } from '../helpers/corpora.js';

export const BYTE_EOS = 2;

export function byteIds(text: string, offset = 3): Uint32Array {
  const b = Buffer.from(text, 'utf8');
  const out = new Uint32Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i] + offset;
  return out;
}

function jsonlTexts(file: string): string[] {
  return gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
}

/** Real documents per subset (text). */
export function corpusTexts(): Record<'web' | 'books' | 'c4' | 'news' | 'wikipedia', string[]> {
  const paragraphs = (file: string) => readFileSync(file, 'utf8').split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 0);
  const booksDir = corpus('books/gutenberg-clean');
  const newsDir = corpus('news-html/aeb/html');
  const wikiPages = (file: string) => readFileSync(file, 'utf8').split('<page>').slice(1).map((p) => p.split('</page>')[0]);
  return {
    web: jsonlTexts(corpus('c4/dolma-cc_en_head-0091.jsonl.gz')),
    books: readdirSync(booksDir).sort().flatMap((f) => paragraphs(path.join(booksDir, f))),
    c4: ['01', '02', '03'].flatMap((n) => jsonlTexts(corpus(`c4/olmo-c4-sample.${n}.json.gz`))),
    news: readdirSync(newsDir).sort().map((f) => gunzipSync(readFileSync(path.join(newsDir, f))).toString('utf8').replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()),
    wikipedia: [...wikiPages(corpus('wikipedia/tinywiki-latest-pages-articles.xml')), ...wikiPages(corpus('wikipedia/mwxml-dump.xml'))],
  };
}

/** Writes `<buildDir>/tokens/<subset>/part-NNNNN.bin/.idx + manifest.json`; returns the texts used. */
export async function buildTokenCorpus(buildDir: string, options: { shardTokens?: number; wide?: boolean } = {}): Promise<ReturnType<typeof corpusTexts>> {
  const texts = corpusTexts();
  const wide = options.wide ?? false;
  for (const [subset, docs] of Object.entries(texts)) {
    const w = new TokenShardSetWriter(path.join(buildDir, 'tokens', subset), {
      vocabSize: wide ? 70000 : 259, eosId: wide ? 69999 : BYTE_EOS, shardTokens: options.shardTokens ?? 100_000, meta: { subset },
    });
    for (const d of docs) await w.addDocument(byteIds(d, wide ? 65536 : 3));
    await w.finish();
  }
  return texts;
}
