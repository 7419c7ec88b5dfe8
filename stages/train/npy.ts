/**
 * `.npy` files (NumPy format 1.0, https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
 * written in streamed chunks, so `numpy.load(path, mmap_mode='r')` maps the plan with no copy.
 *
 * The header reserves room for any shape, so a writer can stream rows whose count is known only at
 * the end and patch the shape in place. Files appear atomically (temp name, fsync, rename).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDirectorySync, tempNameFor } from '../../pipeline/atomic-file.js';
import { MassivetextError } from '../../pipeline/errors.js';

export type NpyArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | BigInt64Array | Float64Array | Float32Array;
export type NpyDescr = '|u1' | '<u2' | '<u4' | '<i4' | '<i8' | '<f8' | '<f4';

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59); // \x93NUMPY
/** Header bytes (magic + version + length + dict), a multiple of 64 as NumPy aligns it. */
const HEADER_BYTES = 128;

export function descrOf(a: NpyArray): NpyDescr {
  if (a instanceof Uint8Array) return '|u1';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Uint32Array) return '<u4';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof BigInt64Array) return '<i8';
  if (a instanceof Float32Array) return '<f4';
  return '<f8';
}

function header(descr: NpyDescr, shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const room = HEADER_BYTES - 10 - 1;
  if (dict.length > room) throw new RangeError(`npy header too long: ${dict}`);
  const buf = Buffer.alloc(HEADER_BYTES, 0x20);
  buf.set(MAGIC, 0);
  buf[6] = 1;
  buf[7] = 0;
  buf.writeUInt16LE(HEADER_BYTES - 10, 8);
  buf.write(dict, 10, 'latin1');
  buf[HEADER_BYTES - 1] = 0x0a;
  return buf;
}

/** Streams one array to `file`: `write()` chunks of rows, then `close()` patches the row count and renames. */
export class NpyWriter {
  readonly file: string;
  private readonly tmp: string;
  private fd: number;
  private readonly descr: NpyDescr;
  private readonly rowShape: number[];
  private readonly itemsPerRow: number;
  private items = 0;

  constructor(file: string, descr: NpyDescr, rowShape: number[] = []) {
    this.file = file;
    this.descr = descr;
    this.rowShape = rowShape;
    this.itemsPerRow = rowShape.reduce((a, b) => a * b, 1);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = tempNameFor(file);
    this.fd = fs.openSync(this.tmp, 'w');
    fs.writeSync(this.fd, header(descr, [0, ...rowShape]));
  }

  /** Appends items (flattened rows). The array's element type must match the descr. */
  write(data: NpyArray): void {
    if (descrOf(data) !== this.descr) throw new TypeError(`npy ${this.file}: writing ${descrOf(data)} into ${this.descr}`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const step = 64 << 20;
    try {
      for (let o = 0; o < bytes.length; o += step) {
        const part = bytes.subarray(o, Math.min(bytes.length, o + step));
        let done = 0;
        while (done < part.length) done += fs.writeSync(this.fd, part, done);
      }
    } catch (e) {
      throw writeError(this.file, e);
    }
    this.items += data.length;
  }

  /** Patches the shape, fsyncs, renames into place; returns the number of rows. */
  close(sync = true): number {
    if (this.items % this.itemsPerRow !== 0) throw new RangeError(`npy ${this.file}: ${this.items} items is not whole rows of ${this.itemsPerRow}`);
    const rows = this.items / this.itemsPerRow;
    try {
      fs.writeSync(this.fd, header(this.descr, [rows, ...this.rowShape]), 0, HEADER_BYTES, 0);
      if (sync) fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = -1;
      fs.renameSync(this.tmp, this.file);
      if (sync) syncDirectorySync(path.dirname(this.file));
    } catch (e) {
      throw writeError(this.file, e);
    }
    return rows;
  }

  abort(): void {
    if (this.fd >= 0) try { fs.closeSync(this.fd); } catch { /* already closed */ }
    this.fd = -1;
    fs.rmSync(this.tmp, { force: true });
  }
}

/** A write failure as a MassivetextError naming the file: out of disk, or the system's reason. */
function writeError(file: string, e: unknown): MassivetextError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new MassivetextError('out_of_disk', `no space left on device while writing ${file}`, 'free disk space (or choose another --run-dir) and re-run: the plan is rebuilt', { file }, { cause: e });
  }
  return new MassivetextError('plan_write_failed', `cannot write ${file}: ${(e as Error)?.message ?? String(e)}`, 'check the plan directory (permissions, a directory in the file\'s place) and re-run', { file }, { cause: e });
}

/** Writes a whole array atomically (shape defaults to 1-D). */
export function writeNpy(file: string, data: NpyArray, rowShape: number[] = [], sync = true): void {
  const w = new NpyWriter(file, descrOf(data), rowShape);
  try {
    w.write(data);
    w.close(sync);
  } catch (e) {
    w.abort();
    throw e;
  }
}

export interface NpyHeader {
  descr: string;
  shape: number[];
  /** Byte offset of the data. */
  offset: number;
}

/** Parses an .npy header (format 1.x/2.x, C order only). */
export function parseNpyHeader(bytes: Uint8Array, file = '<npy>'): NpyHeader {
  const bad = (msg: string) => new MassivetextError('bad_npy', `${file}: ${msg}`, 'the plan file is damaged; delete the plan directory to rebuild it', { file });
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw bad('not an .npy file (bad magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const text = Buffer.from(bytes.subarray(start, start + len)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || shapeText === undefined) throw bad(`unreadable header ${JSON.stringify(text)}`);
  if (/'fortran_order':\s*True/.test(text)) throw bad('Fortran-order arrays are not supported');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { descr, shape, offset: start + len };
}

/** Reads a whole .npy into a typed array (tests and small files). */
export function readNpy(file: string): { shape: number[]; data: NpyArray } {
  const bytes = fs.readFileSync(file);
  const h = parseNpyHeader(bytes, file);
  const body = bytes.subarray(h.offset);
  const copy = new Uint8Array(body.length);
  copy.set(body);
  const ctor = ({ '|u1': Uint8Array, '<u2': Uint16Array, '<u4': Uint32Array, '<i4': Int32Array, '<i8': BigInt64Array, '<f8': Float64Array, '<f4': Float32Array } as const)[h.descr as NpyDescr];
  if (!ctor) throw new MassivetextError('bad_npy', `${file}: unsupported dtype ${h.descr}`, '', { file });
  return { shape: h.shape, data: new ctor(copy.buffer, 0, copy.length / ctor.BYTES_PER_ELEMENT) };
}
