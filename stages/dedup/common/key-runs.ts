/**
 * Sorted key runs: the on-disk exchange format between "compute keys per part" and "merge keys across
 * parts". A run file holds S sections (LSH bands, or exact-dedup key kinds); each section is a sorted
 * list of records (key as `keyWords` unsigned 32-bit words, then the document's ordinal in its part),
 * sorted by (key, ordinal). Little-endian, fixed width, so a reader streams it with a small buffer.
 *
 * Layout: u32 magic 'MTKR', u32 version, u32 keyWords, u32 sections, u32 docs, u32 count[sections],
 * then the records of section 0, 1, ...
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { AtomicWriter } from '../../../pipeline/atomic-file.js';
import { MassivetextError } from '../../../pipeline/errors.js';

const MAGIC = 0x524b544d; // 'MTKR'
const VERSION = 1;
const HEADER_WORDS = 5;

/** Collects keyed records per section, then writes them sorted. Memory: (keyWords + 1) x 4 bytes per record. */
export class KeyRunBuilder {
  readonly keyWords: number;
  readonly sections: number;
  private data: Uint32Array[];
  private counts: number[];
  docs = 0;

  constructor(keyWords: number, sections: number) {
    this.keyWords = keyWords;
    this.sections = sections;
    this.data = Array.from({ length: sections }, () => new Uint32Array(1024 * (keyWords + 1)));
    this.counts = new Array<number>(sections).fill(0);
  }

  /** Adds a record: key words taken from key[at .. at + keyWords). */
  add(section: number, key: ArrayLike<number>, at: number, ordinal: number): void {
    const w = this.keyWords + 1;
    let d = this.data[section]!;
    const n = this.counts[section]!;
    if ((n + 1) * w > d.length) {
      const g = new Uint32Array(d.length * 2);
      g.set(d);
      d = this.data[section] = g;
    }
    const o = n * w;
    for (let i = 0; i < this.keyWords; i++) d[o + i] = key[at + i]!;
    d[o + this.keyWords] = ordinal;
    this.counts[section] = n + 1;
  }

  get records(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Sorts every section and writes the run atomically. */
  async write(file: string): Promise<void> {
    const w = this.keyWords + 1;
    const header = new Uint32Array(HEADER_WORDS + this.sections);
    header.set([MAGIC, VERSION, this.keyWords, this.sections, this.docs]);
    for (let s = 0; s < this.sections; s++) header[HEADER_WORDS + s] = this.counts[s]!;
    const out = await AtomicWriter.open(file);
    try {
      await out.write(new Uint8Array(header.buffer));
      for (let s = 0; s < this.sections; s++) {
        const n = this.counts[s]!;
        const d = this.data[s]!;
        const order = sortedOrder(d, n, this.keyWords);
        const sorted = new Uint32Array(n * w);
        for (let i = 0; i < n; i++) sorted.set(d.subarray(order[i]! * w, order[i]! * w + w), i * w);
        await out.write(new Uint8Array(sorted.buffer));
        this.data[s] = new Uint32Array(0); // release as we go
      }
      await out.commit();
    } catch (e) {
      await out.abort();
      throw e;
    }
  }
}

/**
 * Record indices in (key, ordinal) order. Records are added in ordinal order, so sorting by
 * (first key word, insertion index) packed into one double uses the native numeric sort; the rare
 * runs with an equal first word are then ordered by the remaining words.
 */
function sortedOrder(d: Uint32Array, n: number, kw: number): Uint32Array {
  const w = kw + 1;
  const order = new Uint32Array(n);
  const cmp = (a: number, b: number): number => {
    for (let i = 0; i < kw; i++) {
      const x = d[a * w + i]! - d[b * w + i]!;
      if (x !== 0) return x;
    }
    return d[a * w + kw]! - d[b * w + kw]!;
  };
  if (n >= 1 << 21) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort(cmp);
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = d[i * w]! * 2097152 + i;
  packed.sort();
  for (let i = 0; i < n; i++) order[i] = packed[i]! % 2097152;
  for (let i = 0; i < n;) {
    let j = i + 1;
    const hi = d[order[i]! * w]!;
    while (j < n && d[order[j]! * w] === hi) j++;
    if (j - i > 1) order.subarray(i, j).sort(cmp);
    i = j;
  }
  return order;
}

export interface KeyRunHeader {
  keyWords: number;
  sections: number;
  docs: number;
  counts: number[];
}

function badRun(file: string, why: string): MassivetextError {
  return new MassivetextError('bad_dedup_file', `${file}: not a valid key run (${why})`,
    'delete the dedup work directory and re-run the step that wrote it', { file });
}

export function readKeyRunHeader(fd: number, file: string): KeyRunHeader {
  const head = new Uint32Array(HEADER_WORDS);
  if (readSync(fd, head, 0, HEADER_WORDS * 4, 0) !== HEADER_WORDS * 4) throw badRun(file, 'short header');
  if (head[0] !== MAGIC || head[1] !== VERSION) throw badRun(file, 'bad magic or version');
  const sections = head[3]!;
  const counts = new Uint32Array(sections);
  if (readSync(fd, counts, 0, sections * 4, HEADER_WORDS * 4) !== sections * 4) throw badRun(file, 'short header');
  return { keyWords: head[2]!, sections, docs: head[4]!, counts: Array.from(counts) };
}

/** Streams the records of one section of one run file with a fixed buffer. */
export class KeyRunCursor {
  readonly file: string;
  /** Index of the part the run belongs to: the merge's tie-breaker after the key. */
  readonly part: number;
  readonly keyWords: number;
  private fd: number;
  private pos: number; // file offset of the next unread record
  private left: number; // records not yet loaded into buf
  private buf: Uint32Array;
  private bufRecords = 0;
  private i = 0; // current record index in buf
  private readonly w: number;

  constructor(file: string, part: number, section: number, bufferBytes = 64 * 1024) {
    this.file = file;
    this.part = part;
    this.fd = openSync(file, 'r');
    try {
      const h = readKeyRunHeader(this.fd, file);
      if (section >= h.sections) throw badRun(file, `no section ${section}`);
      this.keyWords = h.keyWords;
      this.w = h.keyWords + 1;
      let offset = (HEADER_WORDS + h.sections) * 4;
      for (let s = 0; s < section; s++) offset += h.counts[s]! * this.w * 4;
      this.pos = offset;
      this.left = h.counts[section]!;
      this.buf = new Uint32Array(Math.max(this.w, Math.floor(bufferBytes / 4 / this.w) * this.w));
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
    this.fill();
  }

  private fill(): void {
    const n = Math.min(this.left, this.buf.length / this.w);
    const bytes = n * this.w * 4;
    if (n > 0 && readSync(this.fd, this.buf, 0, bytes, this.pos) !== bytes) throw badRun(this.file, 'truncated');
    this.pos += bytes;
    this.left -= n;
    this.bufRecords = n;
    this.i = 0;
  }

  /** False when exhausted. */
  get valid(): boolean {
    return this.i < this.bufRecords;
  }

  key(word: number): number {
    return this.buf[this.i * this.w + word]!;
  }

  get ordinal(): number {
    return this.buf[this.i * this.w + this.keyWords]!;
  }

  next(): void {
    this.i++;
    if (this.i >= this.bufRecords && this.left > 0) this.fill();
  }

  close(): void {
    closeSync(this.fd);
  }
}
