/**
 * K-way merge of sorted key runs (one cursor per part run) in (key, part, ordinal) order, reporting each
 * group of records that share a key. Memory: one read buffer per cursor, independent of the corpus size.
 */
import type { KeyRunCursor } from './key-runs.js';

/** Members of one key group, in (part, ordinal) order; the arrays are reused between calls. */
export interface KeyGroup {
  size: number;
  parts: Uint32Array;
  ordinals: Uint32Array;
}

function less(a: KeyRunCursor, b: KeyRunCursor, kw: number): boolean {
  for (let i = 0; i < kw; i++) {
    const x = a.key(i);
    const y = b.key(i);
    if (x !== y) return x < y;
  }
  if (a.part !== b.part) return a.part < b.part;
  return a.ordinal < b.ordinal;
}

/**
 * Calls onGroup for every key shared by at least `minSize` records. Returns the number of records read.
 * The cursors are closed at the end.
 */
export async function mergeKeyGroups(cursors: KeyRunCursor[], onGroup: (g: KeyGroup) => void | Promise<void>, minSize = 2): Promise<number> {
  const heap = cursors.filter((c) => {
    if (c.valid) return true;
    c.close();
    return false;
  });
  if (!heap.length) return 0;
  const kw = heap[0]!.keyWords;
  const siftDown = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let m = l;
      if (l + 1 < n && less(heap[l + 1]!, heap[l]!, kw)) m = l + 1;
      if (!less(heap[m]!, heap[i]!, kw)) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);

  const group: KeyGroup = { size: 0, parts: new Uint32Array(16), ordinals: new Uint32Array(16) };
  const cur = new Uint32Array(kw);
  let read = 0;
  const flush = async (): Promise<void> => {
    if (group.size >= minSize) {
      const r = onGroup(group);
      if (r) await r;
    }
    group.size = 0;
  };
  while (heap.length) {
    const top = heap[0]!;
    let same = group.size > 0;
    for (let i = 0; same && i < kw; i++) if (top.key(i) !== cur[i]) same = false;
    if (!same) {
      if (group.size >= minSize) await flush();
      group.size = 0;
      for (let i = 0; i < kw; i++) cur[i] = top.key(i);
    }
    if (group.size === group.parts.length) {
      const p = new Uint32Array(group.size * 2); p.set(group.parts); group.parts = p;
      const o = new Uint32Array(group.size * 2); o.set(group.ordinals); group.ordinals = o;
    }
    group.parts[group.size] = top.part;
    group.ordinals[group.size] = top.ordinal;
    group.size++;
    read++;
    top.next();
    if (!top.valid) {
      top.close();
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        siftDown(0);
      }
    } else siftDown(0);
  }
  await flush();
  return read;
}
