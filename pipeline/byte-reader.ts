/**
 * A buffered reader over an async stream of byte chunks, for record formats that mix header lines and
 * length-prefixed blocks (WARC, ARC, HTTP messages) or fixed-size blocks (tar). Memory is bounded by the
 * largest line or block read; `skip` discards without buffering. `position` is the number of bytes
 * consumed so far.
 * Two kinds of read at the end of the input: `read` returns what is left (a truncated record is still
 * data to look at), `readExactly` returns null and consumes nothing (a cut header is not a header).
 * A chunk source may signal a discontinuity (a corrupt compressed member was skipped) with STREAM_BREAK;
 * a read that would cross it throws StreamBreakError, so the record being read is abandoned, not mixed.
 */

export const STREAM_BREAK: unique symbol = Symbol('stream-break');
export type ByteChunk = Uint8Array | typeof STREAM_BREAK;

export class StreamBreakError extends Error {
  constructor() {
    super('the input stream skipped corrupt bytes here');
    this.name = 'StreamBreakError';
  }
}

export class ByteReader {
  private readonly it: AsyncIterator<ByteChunk>;
  private chunks: Buffer[] = [];
  private head = 0; // read offset into chunks[0]
  private bytesBuffered = 0;
  private eof = false;
  private pendingBreak = false;
  /** Bytes consumed (read or skipped) so far. */
  position = 0;

  constructor(source: AsyncIterable<ByteChunk>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Bytes received from the source and not consumed yet. */
  get buffered(): number {
    return this.bytesBuffered;
  }

  /** True when no byte is left to read (after a pending break has been cleared). */
  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.bytesBuffered === 0 && (this.eof || this.pendingBreak);
  }

  /** True when a discontinuity is pending; clears it, dropping the bytes buffered before it (they belong to
   *  the damaged region; keeping them made a reader that had thrown StreamBreakError loop forever). */
  takeBreak(): boolean {
    if (!this.pendingBreak) return false;
    this.position += this.bytesBuffered;
    this.chunks = [];
    this.head = 0;
    this.bytesBuffered = 0;
    this.pendingBreak = false;
    return true;
  }

  /** Buffers until at least n bytes are available, the input ends, or a break is reached. */
  private async fill(n: number): Promise<void> {
    while (this.bytesBuffered < n && !this.eof && !this.pendingBreak) {
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        break;
      }
      if (r.value === STREAM_BREAK) {
        this.pendingBreak = true;
        break;
      }
      if (r.value.length === 0) continue;
      const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      this.chunks.push(b);
      this.bytesBuffered += b.length;
    }
  }

  /** Consumes n bytes (n <= buffered): a view into the source's chunk where they lie in one, unless `copy`. */
  private take(n: number, copy = false): Buffer {
    const first = this.chunks[0];
    const out = !copy && first && first.length - this.head >= n ? first.subarray(this.head, this.head + n) : this.copyOut(n);
    this.drop(n);
    return out;
  }

  /** A copy of the next n buffered bytes (n <= buffered), consuming nothing. */
  private copyOut(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let o = 0, ci = 0; o < n; ci++) {
      const c = this.chunks[ci]!;
      const start = ci === 0 ? this.head : 0;
      const k = Math.min(n - o, c.length - start);
      c.copy(out, o, start, start + k);
      o += k;
    }
    return out;
  }

  /** Consumes n buffered bytes (n <= buffered) without reading them. */
  private drop(n: number): void {
    this.bytesBuffered -= n;
    this.position += n;
    while (n > 0) {
      const c = this.chunks[0]!;
      const k = Math.min(n, c.length - this.head);
      this.head += k;
      n -= k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
  }

  /**
   * Reads one line including its '\n' (or up to EOF). Returns null at EOF. A line longer than maxLength
   * is returned cut at maxLength (the caller treats it as malformed).
   */
  async readLine(maxLength = 1 << 20): Promise<Buffer | null> {
    let scanned = 0;
    for (;;) {
      // Search for '\n' in buffered bytes from `scanned`.
      let idx = -1;
      let skip = scanned;
      let base = 0;
      for (let ci = 0; ci < this.chunks.length && idx < 0; ci++) {
        const c = this.chunks[ci]!;
        const start = ci === 0 ? this.head : 0;
        const len = c.length - start;
        if (skip >= len) {
          skip -= len;
          base += len;
          continue;
        }
        const j = c.indexOf(10, start + skip);
        if (j >= 0) idx = base + (j - start);
        base += len;
        skip = 0;
      }
      if (idx >= 0) return this.take(Math.min(idx + 1, maxLength));
      if (this.bytesBuffered >= maxLength) return this.take(maxLength);
      scanned = this.bytesBuffered;
      const before = this.bytesBuffered;
      await this.fill(this.bytesBuffered + 1);
      if (this.bytesBuffered === before) {
        if (before === 0) {
          if (this.pendingBreak) throw new StreamBreakError();
          return null;
        }
        if (this.pendingBreak) throw new StreamBreakError();
        return this.take(before);
      }
    }
  }

  /** Reads exactly n bytes; returns fewer only at EOF (truncated input). Throws at a stream break. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    if (this.bytesBuffered < n && this.pendingBreak) throw new StreamBreakError();
    return this.take(Math.min(n, this.bytesBuffered));
  }

  /**
   * Exactly n bytes, as a copy of their own (so a kept block does not hold on to the source's chunk), or
   * null when the input ends first; a short read consumes nothing (see `buffered`). Throws at a stream break.
   */
  async readExactly(n: number): Promise<Buffer | null> {
    await this.fill(n);
    if (this.bytesBuffered < n) {
      if (this.pendingBreak) throw new StreamBreakError();
      return null;
    }
    return this.take(n, true);
  }

  /** Peeks up to n bytes without consuming. */
  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    const k = Math.min(n, this.bytesBuffered);
    const first = this.chunks[0];
    if (first && first.length - this.head >= k) return first.subarray(this.head, this.head + k);
    return this.copyOut(k);
  }

  /** Discards n bytes without buffering them all; returns how many were skipped (fewer at EOF). */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.bytesBuffered === 0) {
        await this.fill(1);
        if (this.bytesBuffered === 0) {
          if (this.pendingBreak) throw new StreamBreakError();
          break;
        }
      }
      const k = Math.min(left, this.bytesBuffered);
      this.drop(k);
      left -= k;
    }
    return n - left;
  }

  /** Stops the underlying source (closes files/sockets). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
