import { describe, expect, it } from 'vitest';
import { allocateTokens, documentOrder, planSubsetDraw, shardDocuments } from './sample-plan.js';
import { gopherWeights, parseWeights, resolveWeights } from './sample-weights.js';
import { corpusTexts } from '../../tests/python/token-corpus.js';

// document lengths of real text (Gutenberg paragraphs, bytes + EOS)
const bookLengths = Int32Array.from(corpusTexts().books.map((t) => Buffer.byteLength(t) + 1));
const total = bookLengths.reduce((a, b) => a + b, 0);

describe('allocateTokens', () => {
  it('splits the target exactly by largest remainder', () => {
    const a = allocateTokens(300_000_000_001, gopherWeights);
    expect(Object.values(a).reduce((x, y) => x + y!, 0)).toBe(300_000_000_001);
    expect(a.web).toBe(144_000_000_001); // the one left over goes to the largest remainder (.48)
    expect(a.wikipedia).toBe(6_000_000_000);
    const b = allocateTokens(10, { web: 1 / 3, books: 1 / 3, c4: 1 / 3 });
    expect(b).toEqual({ web: 4, books: 3, c4: 3 }); // ties go to the first subset
    expect(allocateTokens(0, gopherWeights).web).toBe(0);
  });
});

describe('planSubsetDraw', () => {
  it('takes whole epochs and a partial epoch whose tokens are the closest prefix to the remainder', () => {
    for (const target of [1, 1000, 123_457, total - 1, total, total + 5, 3 * total + 77_777]) {
      const d = planSubsetDraw('books', bookLengths, target, 42);
      expect(d.fullEpochs).toBe(Math.floor(target / total));
      const order = [...documentOrder(d, 42)];
      expect(order.length).toBe(d.fullEpochs + (d.partialDocuments ? 1 : 0));
      const got = order.reduce((a, chunk) => a + chunk.reduce((x, i) => x + bookLengths[i], 0), 0);
      expect(got).toBe(d.tokens);
      expect(order.reduce((a, c) => a + c.length, 0)).toBe(d.documents);
      // exact to within one document: no other prefix length of the partial permutation is closer
      if (d.partialDocuments) {
        const last = order[order.length - 1];
        const next = [...documentOrder({ ...d, partialDocuments: bookLengths.length }, 42)].pop()!;
        expect([...next.subarray(0, last.length)]).toEqual([...last]);
        const rem = target - d.fullEpochs * total;
        const shorter = d.partialTokens - bookLengths[last[last.length - 1]];
        const longer = d.partialTokens + (last.length < next.length ? bookLengths[next[last.length]] : Infinity);
        expect(Math.abs(d.partialTokens - rem)).toBeLessThanOrEqual(Math.abs(shorter - rem));
        expect(Math.abs(d.partialTokens - rem)).toBeLessThanOrEqual(Math.abs(longer - rem));
      }
      expect(d.epochs).toBeCloseTo(d.tokens / total, 12);
    }
  });

  it('takes nothing from an empty subset or for a zero budget', () => {
    expect(planSubsetDraw('web', new Int32Array(0), 100, 1).tokens).toBe(0);
    expect(planSubsetDraw('web', bookLengths, 0, 1).documents).toBe(0);
  });
});

describe('shardDocuments', () => {
  it('cuts at the token budget without splitting documents', () => {
    const d = planSubsetDraw('books', bookLengths, total + 1000, 3);
    const shards = [...shardDocuments(documentOrder(d, 3), bookLengths, 100_000)];
    const sizes = shards.map((s) => s.reduce((a, i) => a + bookLengths[i], 0));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(d.tokens);
    for (const s of sizes.slice(0, -1)) expect(s).toBeGreaterThanOrEqual(100_000);
    for (const [k, s] of shards.slice(0, -1).entries()) expect(sizes[k] - bookLengths[s[s.length - 1]]).toBeLessThan(100_000);
  });
});

describe('weights', () => {
  it('parses the CLI syntax and rejects what it cannot use', () => {
    expect(parseWeights('web=0.48,books=0.27, c4=0.10,news=0.10,github=0.03,wikipedia=0.02')).toEqual(gopherWeights);
    expect(parseWeights('massiveweb=1')).toEqual({ web: 1 });
    expect(() => parseWeights('web=0.5,reddit=0.5')).toThrow(/unknown subset "reddit"/);
    expect(() => parseWeights('web=-1')).toThrow(/non-negative/);
    expect(() => parseWeights('web')).toThrow(/cannot parse/);
    expect(() => parseWeights('web=1,web=2')).toThrow(/twice/);
  });

  it('renormalises over the subsets present and says so', () => {
    const r = resolveWeights(gopherWeights, ['web', 'books', 'c4', 'news', 'wikipedia']);
    expect(r.renormalised).toBe(true);
    expect(Object.values(r.used).reduce((a, b) => a + b!, 0)).toBeCloseTo(1, 12);
    expect(r.used.books).toBeCloseTo(0.27 / 0.97, 12);
    expect(r.notes[0]).toMatch(/no tokens for github/);
    const exact = resolveWeights(gopherWeights, ['web', 'books', 'c4', 'news', 'github', 'wikipedia']);
    expect(exact.renormalised).toBe(false);
    expect(exact.notes).toEqual([]);
    expect(resolveWeights({ web: 2, books: 2 }, ['web', 'books']).used).toEqual({ web: 0.5, books: 0.5 });
  });
});
