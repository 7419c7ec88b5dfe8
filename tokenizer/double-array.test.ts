import { describe, expect, it } from 'vitest';
import { DoubleArray, compareBytes } from './double-array.js';
import { suffixArray } from './suffix-array.js';
import { mulberry32 } from './training-corpus.js';

describe('DoubleArray (darts-clone unit format)', () => {
  it('finds exactly the inserted keys, and all of their prefixes that are keys', () => {
    const rand = mulberry32(7);
    const set = new Set<string>();
    while (set.size < 3000) {
      const len = 1 + Math.floor(rand() * 6);
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(97 + Math.floor(rand() * 5));
      set.add(s);
    }
    set.add('\u00e9\u2581x');
    const enc = new TextEncoder();
    const keys = [...set].map((s) => enc.encode(s)).sort(compareBytes);
    const da = DoubleArray.build(keys, keys.map((_, i) => i * 3));
    keys.forEach((k, i) => expect(da.exactMatch(k, 0, k.length)).toBe(i * 3));
    const probe = enc.encode('abcdeaab');
    const found: number[] = [];
    da.commonPrefixSearch(probe, 0, probe.length, (v, end) => found.push(end, v));
    const expected: number[] = [];
    for (let e = 1; e <= probe.length; e++) {
      const i = keys.findIndex((k) => compareBytes(k, probe.subarray(0, e)) === 0);
      if (i >= 0) expected.push(e, i * 3);
    }
    expect(found).toEqual(expected);
    expect(da.exactMatch(enc.encode('zz'), 0, 2)).toBe(-1);
    expect(da.exactMatch(new Uint8Array([0]), 0, 1)).toBe(-1);
  });

  it('rejects unsorted keys', () => {
    const enc = new TextEncoder();
    expect(() => DoubleArray.build([enc.encode('b'), enc.encode('a')], [0, 1])).toThrow(/sorted/);
  });
});

describe('suffixArray (SA-IS)', () => {
  it('matches a naive sort on random texts with repeats', () => {
    const rand = mulberry32(3);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + Math.floor(rand() * 300);
      const k = 2 + Math.floor(rand() * 4);
      const t = new Int32Array(n);
      for (let i = 0; i < n - 1; i++) t[i] = 1 + Math.floor(rand() * (k - 1));
      t[n - 1] = 0;
      const naive = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
        for (let d = 0; ; d++) {
          if (t[a + d] !== t[b + d]) return t[a + d]! - t[b + d]!;
        }
      });
      expect(Array.from(suffixArray(t, k))).toEqual(naive);
    }
  });
});
