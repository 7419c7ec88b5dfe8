import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpus } from '../../../tests/helpers/corpora.js';
import { chunkText, jaccard, shingleSet } from '../testing/planted-near-duplicates.js';
import { bandKeys } from './bands.js';
import { EMPTY_VALUE, hashKeys, isEmptySignature, signatureSimilarity, textSignature } from './signature.js';

const K = 396;
const keys = hashKeys(K, 1869637743);
const sig = (t: string) => {
  const s = new Int32Array(K);
  textSignature(t, 13, keys, s);
  return s;
};

describe('MinHash signatures', () => {
  const chunks = chunkText(readFileSync(corpus('books/gutenberg-clean/1013.txt'), 'utf8'));

  it('estimates 13-gram Jaccard without bias on real text pairs', () => {
    // Pairs made by keeping a prefix of one chunk and appending another: known overlap, many levels.
    const errs: number[] = [];
    for (let i = 0; i + 1 < Math.min(chunks.length, 60); i++) {
      const a = chunks[i]!;
      const words = a.split(/\s+/);
      const cut = Math.floor(words.length * (0.3 + (i % 7) / 10));
      const b = words.slice(0, cut).join(' ') + ' ' + chunks[i + 1]!;
      const exact = jaccard(shingleSet(a, 13), shingleSet(b, 13));
      errs.push(signatureSimilarity(sig(a), sig(b)) - exact);
    }
    const mean = errs.reduce((x, y) => x + y, 0) / errs.length;
    const rms = Math.sqrt(errs.reduce((x, y) => x + y * y, 0) / errs.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(rms).toBeLessThan(0.035); // binomial sd at K = 396 is at most 0.025
  });

  it('is identical for identical normalised text and the EMPTY signature without words', () => {
    expect(signatureSimilarity(sig(chunks[0]!), sig(chunks[0]!.toUpperCase().replace(/\n/g, ' ')))).toBe(1);
    const e = sig('... !!! ---');
    expect(isEmptySignature(e)).toBe(true);
    expect(e[0]).toBe(EMPTY_VALUE);
    expect(isEmptySignature(sig('one word'))).toBe(false);
  });

  it('band keys are equal exactly when the band rows are equal', () => {
    const a = sig(chunks[1]!);
    const b = a.slice();
    b[12 * 5 + 3] ^= 1; // change one row of band 5
    const ka = new Uint32Array(66);
    const kb = new Uint32Array(66);
    bandKeys(a, 0, 33, 12, ka, 0);
    bandKeys(b, 0, 33, 12, kb, 0);
    for (let band = 0; band < 33; band++) {
      const same = ka[2 * band] === kb[2 * band] && ka[2 * band + 1] === kb[2 * band + 1];
      expect(same, `band ${band}`).toBe(band !== 5);
    }
  });
});

describe('the WebAssembly SIMD kernel', () => {
  it('is available on Node 20 and gives exactly the JavaScript kernel\'s signatures', async () => {
    const { signatureOfSimd, simdAvailable } = await import('./signature-simd.js');
    const { shingles } = await import('./shingles.js');
    const { signatureOf } = await import('./signature.js');
    expect(simdAvailable()).toBe(true);
    const texts = [
      ...chunkText(readFileSync(corpus('books/gutenberg-clean/10026.txt'), 'utf8')).slice(0, 12),
      'one', 'two words', 'exactly thirteen words in this short line of text for the test', '', '...',
    ];
    for (const k of [396, 7, 128]) {
      const keys = hashKeys(k, 99);
      for (const t of texts) {
        const sh = shingles(t, { n: 13 });
        const a = new Int32Array(k);
        const b = new Int32Array(k);
        signatureOf(sh.h1, sh.h2, sh.count, keys, a);
        signatureOfSimd(sh.h1, sh.h2, sh.count, keys, b);
        expect(Array.from(b)).toEqual(Array.from(a));
      }
    }
  });
});
