/**
 * Minimal protobuf (proto2) wire-format writer and reader: varint, length-delimited and fixed32 fields,
 * which is all a SentencePiece ModelProto uses. Negative int32 values are sign-extended to 10 bytes, as
 * protobuf requires (tokenizer.md §3.2).
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Unsigned varint of a non-negative integer up to 2^53. */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** int32 as protobuf encodes it: negative values become 10-byte two's complement varints. */
  int32(v: number): void {
    if (v >= 0) { this.varint(v); return; }
    this.ensure(10);
    // Two's complement over 64 bits: low 32 bits from v, high 32 bits all ones.
    let lo = v >>> 0;
    let hi = 0xffffffff;
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
      hi = hi >>> 7;
    }
    this.buf[this.pos++] = lo & 0x01;
  }

  key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  float32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  fieldVarint(field: number, v: number): void { this.key(field, WIRE_VARINT); this.varint(v); }
  fieldInt32(field: number, v: number): void { this.key(field, WIRE_VARINT); this.int32(v); }
  fieldBool(field: number, v: boolean): void { this.key(field, WIRE_VARINT); this.varint(v ? 1 : 0); }
  fieldFloat(field: number, v: number): void { this.key(field, WIRE_FIXED32); this.float32(v); }
  fieldBytes(field: number, b: Uint8Array): void { this.key(field, WIRE_LEN); this.bytes(b); }
  fieldString(field: number, s: string): void { this.fieldBytes(field, utf8.encode(s)); }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export interface ProtoField {
  field: number;
  wire: number;
  /** varint value (as a number; int32 negatives are folded back), fixed32 raw bits, or bytes. */
  num: number;
  bytes?: Uint8Array;
}

/** Reads every field of one message in order. Throws on truncated or malformed input. */
export function readFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const readVarint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++]!;
      if (i < 8) result += (b & 0x7f) * mul;
      else if (b & 0x7f) result = NaN; // beyond 2^56: only sign-extended negatives reach here
      mul *= 128;
      if (!(b & 0x80)) return result;
    }
    throw new Error('varint too long');
  };
  while (pos < buf.length) {
    const start = pos;
    const k = readVarint();
    const field = Math.floor(k / 8);
    const wire = k % 8;
    if (field === 0) throw new Error(`invalid field number at byte ${start}`);
    if (wire === WIRE_VARINT) {
      const vstart = pos;
      let v = readVarint();
      if (pos - vstart === 10) v = readSignedFromBytes(buf, vstart);
      out.push({ field, wire, num: v });
    } else if (wire === WIRE_LEN) {
      const len = readVarint();
      if (pos + len > buf.length) throw new Error(`truncated length-delimited field ${field} at byte ${start}`);
      out.push({ field, wire, num: len, bytes: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === WIRE_FIXED32) {
      if (pos + 4 > buf.length) throw new Error('truncated fixed32');
      out.push({ field, wire, num: view.getUint32(pos, true) });
      pos += 4;
    } else if (wire === WIRE_FIXED64) {
      if (pos + 8 > buf.length) throw new Error('truncated fixed64');
      out.push({ field, wire, num: Number(view.getBigUint64(pos, true)) });
      pos += 8;
    } else {
      throw new Error(`unsupported wire type ${wire} at byte ${start}`);
    }
  }
  return out;
}

/** A 10-byte varint is a sign-extended negative int32/int64: rebuild it from its low 32 bits. */
function readSignedFromBytes(buf: Uint8Array, start: number): number {
  let lo = 0;
  for (let i = 0; i < 5; i++) lo |= (buf[start + i]! & 0x7f) << (7 * i);
  return lo | 0;
}

export function fixed32ToFloat(bits: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, bits, true);
  return dv.getFloat32(0, true);
}
