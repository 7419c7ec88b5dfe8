import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { ByteReader, STREAM_BREAK, StreamBreakError, type ByteChunk } from './byte-reader.js';

const warc = readFileSync(corpus('warc/warcio-example.warc'));

async function* chunks(b: Buffer, size: number, breakAt = -1): AsyncGenerator<ByteChunk> {
  for (let i = 0; i < b.length; i += size) {
    if (i === breakAt) yield STREAM_BREAK;
    yield b.subarray(i, Math.min(b.length, i + size));
  }
}

describe('ByteReader', () => {
  it('reads lines and blocks of a real WARC across chunk boundaries, whatever the chunking', async () => {
    for (const size of [warc.length, 4096, 7, 1]) {
      const r = new ByteReader(chunks(warc, size));
      const first = await r.readLine();
      expect(first?.toString('latin1')).toBe('WARC/1.0\r\n');
      expect((await r.peek(5)).toString('latin1')).toBe('WARC-');
      expect(r.position).toBe(first!.length); // peek consumed nothing
      const rest: Buffer[] = [first!];
      for (let line = await r.readLine(); line; line = await r.readLine()) rest.push(line);
      expect(Buffer.concat(rest).equals(warc)).toBe(true);
      expect(r.position).toBe(warc.length);
      expect(await r.atEnd()).toBe(true);
    }
  });

  it('a line over maxLength comes back cut at maxLength', async () => {
    const r = new ByteReader(chunks(warc, 3));
    expect((await r.readLine(4))?.toString('latin1')).toBe('WARC');
    expect((await r.readLine())?.toString('latin1')).toBe('/1.0\r\n');
  });

  it('at the end of the input, read returns what is left and readExactly returns null, consuming nothing', async () => {
    for (const size of [warc.length, 100, 1]) {
      const r = new ByteReader(chunks(warc, size));
      expect(await r.skip(warc.length - 10)).toBe(warc.length - 10);
      expect(await r.readExactly(11)).toBeNull();
      expect(r.buffered).toBe(10);
      expect(r.position).toBe(warc.length - 10);
      const exact = await r.readExactly(4);
      expect(exact?.equals(warc.subarray(warc.length - 10, warc.length - 6))).toBe(true);
      const short = await r.read(100);
      expect(short.equals(warc.subarray(warc.length - 6))).toBe(true);
      expect(r.buffered).toBe(0);
      expect(await r.readExactly(1)).toBeNull();
      expect((await r.read(1)).length).toBe(0);
      expect(await r.skip(5)).toBe(0);
    }
  });

  it('skip says how many bytes it skipped: fewer when the input ends first', async () => {
    const r = new ByteReader(chunks(warc, 1000));
    expect(await r.skip(warc.length + 50)).toBe(warc.length);
    expect(r.position).toBe(warc.length);
  });

  it('readExactly returns a copy of its own; read may return a view into the source chunk', async () => {
    const source = Buffer.from(warc);
    const r = new ByteReader(chunks(source, source.length));
    const view = await r.read(8);
    const copy = (await r.readExactly(8))!;
    expect(copy.buffer).not.toBe(source.buffer);
    expect(view.buffer).toBe(source.buffer);
    source.fill(0, 0, 16);
    expect(view.every((b) => b === 0)).toBe(true);
    expect(copy.equals(warc.subarray(8, 16))).toBe(true);
  });

  it('a read that would cross a STREAM_BREAK throws; takeBreak drops the bytes before it and reading resumes', async () => {
    const r = new ByteReader(chunks(warc, 100, 300));
    expect((await r.read(250)).equals(warc.subarray(0, 250))).toBe(true);
    await expect(r.read(100)).rejects.toBeInstanceOf(StreamBreakError);
    await expect(r.readExactly(100)).rejects.toBeInstanceOf(StreamBreakError);
    expect(r.takeBreak()).toBe(true);
    expect(r.position).toBe(300);
    expect((await r.read(10)).equals(warc.subarray(300, 310))).toBe(true);
    expect(r.takeBreak()).toBe(false);
  });
});
