import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { fmix32, hashString128, hashStringLanes, to53 } from './hash.js';

// Expected values from an independent Python implementation of MurmurHash3's fmix32 and of the lane hash
// (same arithmetic on unsigned 32-bit integers). They pin the hashes: a change would move dedup keys.
describe('pipeline hash', () => {
  it('fmix32 is MurmurHash3 fmix32 (signed 32-bit result)', () => {
    const want: [number, number][] = [[0, 0], [1, 1364076727], [2, 821347078], [0xdeadbeef, 233162409], [0x80000000, 1832674720], [0xffffffff, -2114883783]];
    for (const [x, h] of want) expect(fmix32(x)).toBe(h);
  });

  it('string lanes of a real C4 sentence, an empty string and non-BMP text', () => {
    const first = JSON.parse(gunzipSync(readFileSync(corpus('c4/olmo-c4-sample.01.json.gz'))).toString('utf8').split('\n')[0]!).text as string;
    const sentence = first.slice(0, first.indexOf('.') + 1);
    expect(sentence).toBe('The woman who died after falling from a bridge over the A21 has been identified as a Sevenoaks mum.');
    expect([...hashString128(sentence)]).toEqual([2068429484, 4206405771, 497784170, 1991379534]);
    expect([...hashString128('')]).toEqual([327721211, 3990966814, 1825104902, 3435022849]);
    const out = new Uint32Array(6);
    hashStringLanes('Zürich – 東京 😀', 4, out, 2);
    expect([...out]).toEqual([0, 0, 566826076, 432210350, 1382228308, 929990346]);
  });

  it('to53 keeps 21 bits of the high lane and all of the low one (exact in a double)', () => {
    expect(to53(0xffffffff, 0xffffffff)).toBe(Number.MAX_SAFE_INTEGER);
    expect(to53(0x12345678, 0x9abcdef0)).toBe(5724575526346480);
  });
});
