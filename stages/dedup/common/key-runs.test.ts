import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prng } from '../testing/planted-near-duplicates.js';
import { KeyRunBuilder, KeyRunCursor } from './key-runs.js';
import { mergeKeyGroups } from './merge-runs.js';
import { UnionFind } from './union-find.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mt-keyruns-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sorted key runs and their k-way merge', () => {
  it('groups equal keys across parts and runs in (key, part, ordinal) order, with a small buffer', async () => {
    const rnd = prng(5);
    // 3 parts, part 1 spilled into two runs; keys drawn from a small space so groups and equal first words are common.
    const records: { part: number; ord: number; key: number[] }[] = [];
    const files: { file: string; part: number }[] = [];
    let f = 0;
    for (const [part, runs] of [[0, 1], [1, 2], [2, 1]] as const) {
      let ord = 0;
      for (let r = 0; r < runs; r++) {
        const b = new KeyRunBuilder(2, 2);
        for (let i = 0; i < 700; i++, ord++) {
          for (let s = 0; s < 2; s++) {
            const key = [Math.floor(rnd() * 40), Math.floor(rnd() * 3)];
            b.add(s, key, 0, ord);
            if (s === 1) records.push({ part, ord, key });
          }
          b.docs++;
        }
        const file = path.join(tmp, `r${f++}.keys`);
        await b.write(file);
        files.push({ file, part });
      }
    }
    const groups: string[] = [];
    const read = await mergeKeyGroups(files.map((x) => new KeyRunCursor(x.file, x.part, 1, 64)), (g) => {
      const members: string[] = [];
      for (let i = 0; i < g.size; i++) members.push(`${g.parts[i]}:${g.ordinals[i]}`);
      groups.push(members.join(','));
    });
    expect(read).toBe(records.length);
    const expected = new Map<string, typeof records>();
    for (const r of [...records].sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.part - b.part || a.ord - b.ord)) {
      const k = r.key.join('/');
      expected.set(k, [...(expected.get(k) ?? []), r]);
    }
    expect(groups).toEqual([...expected.values()].filter((g) => g.length >= 2).map((g) => g.map((r) => `${r.part}:${r.ord}`).join(',')));
  });

  it('rejects a damaged run file with a clear error', () => {
    const bad = path.join(tmp, 'bad.keys');
    writeFileSync(bad, 'not a run');
    expect(() => new KeyRunCursor(bad, 0, 0)).toThrow(/not a valid key run/);
  });
});

describe('union-find', () => {
  it('keeps the smallest index as the root, whatever the union order', () => {
    const uf = new UnionFind(10);
    uf.union(9, 7);
    uf.union(7, 3);
    uf.union(5, 9);
    uf.union(1, 2);
    expect([3, 5, 7, 9].map((x) => uf.find(x))).toEqual([3, 3, 3, 3]);
    expect(uf.find(2)).toBe(1);
    expect(uf.union(9, 3)).toBe(false);
    expect(uf.find(0)).toBe(0);
  });
});
