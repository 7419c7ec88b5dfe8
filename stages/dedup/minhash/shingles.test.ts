import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpus } from '../../../tests/helpers/corpora.js';
import { shingleSet } from '../testing/planted-near-duplicates.js';
import { shingles, wordHashes } from './shingles.js';

describe('word shingles', () => {
  it('ignores case, punctuation and whitespace runs', () => {
    const a = shingleSet('The quick, brown fox -- jumps over the lazy dog!', 3);
    const b = shingleSet('the QUICK brown\n\nfox jumps   over "the" lazy dog', 3);
    expect([...a].sort()).toEqual([...b].sort());
    expect(a.size).toBe(7);
  });

  it('treats letters of any script and digits as words', () => {
    expect(wordHashes('Ärger über Öl, 2021 年').count).toBe(5);
    expect(wordHashes('naïve café résumé').count).toBe(3);
  });

  it('gives one shingle for texts shorter than n words and none for texts without words', () => {
    expect(shingles('only four words here', { n: 13 }).count).toBe(1);
    expect(shingles(' -- !! ... ', { n: 13 }).count).toBe(0);
    expect(shingles('', { n: 13 }).count).toBe(0);
  });

  it('counts words - n + 1 shingles on a real book, and distinct texts share almost none', () => {
    const text = readFileSync(corpus('books/gutenberg-clean/33956.txt'), 'utf8');
    const s = shingles(text, { n: 13 });
    expect(s.count).toBe(s.words - 12);
    const other = readFileSync(corpus('books/gutenberg-clean/10026.txt'), 'utf8');
    const a = shingleSet(text, 13);
    const b = shingleSet(other, 13);
    let inter = 0;
    for (const x of a) if (b.has(x)) inter++;
    expect(inter).toBeLessThan(5);
    expect(a.size).toBeGreaterThan(0.98 * s.count);
  });
});
