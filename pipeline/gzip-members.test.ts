import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { GzipMemberReader, type GzipMemberEnd } from './gzip-members.js';

const c4 = [1, 2, 3].map((i) => readFileSync(corpus(`c4/olmo-c4-sample.0${i}.json.gz`)));
const plain = c4.map((b) => gunzipSync(b));

async function* chunks(b: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield new Uint8Array(b.buffer, b.byteOffset + i, Math.min(size, b.length - i));
}

/** Reads one member (header, data, trailer) at the reader's position. */
async function member(gz: GzipMemberReader): Promise<{ data: Buffer; end: GzipMemberEnd; trailer: { crc: number; isize: number } | null }> {
  const header = await gz.headerLength();
  expect(header).toBeGreaterThanOrEqual(10);
  gz.consume(header);
  const out: Buffer[] = [];
  const it = gz.inflate();
  let r = await it.next();
  for (; !r.done; r = await it.next()) out.push(r.value);
  const trailer = r.value.status === 'ok' ? await gz.trailer() : null;
  return { data: Buffer.concat(out), end: r.value, trailer };
}

/** A gzip member of `data` with the given header flags and optional fields (RFC 1952 2.3). */
function withHeader(data: Buffer, flags: number, fields: Buffer): Buffer {
  const gz = gzipSync(data);
  const h = Buffer.from(gz.subarray(0, 10));
  h[3] = flags;
  return Buffer.concat([h, fields, gz.subarray(10)]);
}

describe('GzipMemberReader', () => {
  it('reads real multi-member gzip member by member, with offsets, sizes and CRC-32 matching the trailers', async () => {
    for (const size of [1 << 20, 4093, 11]) {
      const gz = new GzipMemberReader(chunks(Buffer.concat(c4), size), { crc: true });
      for (let i = 0; i < 3; i++) {
        expect(gz.offset).toBe(c4.slice(0, i).reduce((n, b) => n + b.length, 0));
        const m = await member(gz);
        expect(m.data.equals(plain[i]!)).toBe(true);
        expect(m.end).toMatchObject({ status: 'ok', size: plain[i]!.length });
        expect(m.trailer).toEqual({ crc: m.end.status === 'ok' ? m.end.crc : -1, isize: plain[i]!.length });
        gz.consume(8);
      }
      expect(await gz.need(1)).toBe(false);
      expect(gz.received).toBe(c4.reduce((n, b) => n + b.length, 0));
    }
  });

  it('parses the optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC) and says where a header is cut or absent', async () => {
    const cases: [number, Buffer][] = [
      [4, Buffer.from([3, 0, 1, 2, 3])],
      [8, Buffer.from('olmo-c4-sample.01.json\0')],
      [8 | 16, Buffer.from('a.json\0a comment\0')],
      [2, Buffer.from([0xab, 0xcd])],
      [2 | 4 | 8 | 16, Buffer.from([1, 0, 9, 0x61, 0, 0x62, 0, 1, 2])],
    ];
    for (const [flags, fields] of cases) {
      const b = withHeader(plain[0]!, flags, fields);
      for (const size of [1 << 20, 5]) {
        const m = await member(new GzipMemberReader(chunks(b, size)));
        expect(m.data.equals(plain[0]!), `flags ${flags}`).toBe(true);
        expect(m.trailer?.isize).toBe(plain[0]!.length);
      }
      // cut inside the header: -2; the bytes are still pending (nothing consumed)
      const cut = new GzipMemberReader(chunks(b.subarray(0, 10 + fields.length - 1), 4));
      expect(await cut.headerLength()).toBe(-2);
      expect(cut.offset).toBe(0);
    }
    expect(await new GzipMemberReader(chunks(Buffer.from('{"text": "not gzip"}\n'), 5)).headerLength()).toBe(-1);
    expect(await new GzipMemberReader(chunks(Buffer.from([0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 3]), 5)).headerLength()).toBe(-1); // CM 9 is no method
    expect(await new GzipMemberReader(chunks(c4[0]!.subarray(0, 9), 5)).headerLength()).toBe(-2);
    expect(await new GzipMemberReader(chunks(Buffer.from([0x1f, 0x20]), 5)).headerLength()).toBe(-1);
  });

  it('a truncated member ends "truncated" after the data before the cut; corrupt deflate data ends "corrupt"', async () => {
    const cut = await member(new GzipMemberReader(chunks(c4[1]!.subarray(0, c4[1]!.length - 2000), 1000)));
    expect(cut.end.status).toBe('truncated');
    expect(cut.data.length).toBeGreaterThan(0);
    expect(plain[1]!.subarray(0, cut.data.length).equals(cut.data)).toBe(true);

    const bad = Buffer.from(c4[1]!);
    bad.fill(0x55, 3000, 3064);
    const m = await member(new GzipMemberReader(chunks(bad, 1000)));
    expect(m.end.status).toBe('corrupt');
    expect(m.end.status === 'corrupt' && m.end.error.message).toMatch(/invalid|incorrect/);
  });

  it('after a corrupt member, rewind + skipToNextHeader find the next member in the bytes already fed', async () => {
    const bad = Buffer.from(c4[0]!);
    bad.fill(0x55, 3000, 3064);
    // a single input chunk: the next member's bytes were fed to the inflater of the corrupt one
    const gz = new GzipMemberReader(chunks(Buffer.concat([bad, c4[1]!]), 1 << 20), { keepBytes: 1 << 20 });
    expect((await member(gz)).end.status).toBe('corrupt');
    gz.rewind();
    expect(await gz.skipToNextHeader()).toBe(true);
    expect(gz.offset).toBe(c4[0]!.length);
    expect((await member(gz)).data.equals(plain[1]!)).toBe(true);

    // without kept bytes there is nothing to rewind to: the next member is lost
    const lost = new GzipMemberReader(chunks(Buffer.concat([bad, c4[1]!]), 1 << 20));
    await member(lost);
    lost.rewind();
    expect(await lost.skipToNextHeader()).toBe(false);
  });

  it('feeds a bomb member in small slices: the output per compressed slice stays near 1032 x feedBytes', async () => {
    const bomb = gzipSync(Buffer.concat([plain[0]!, Buffer.alloc(48 << 20), plain[1]!]), { level: 9 });
    const peak = async (feedBytes: number) => {
      const gz = new GzipMemberReader(chunks(bomb, 1 << 20), { feedBytes });
      gz.consume(await gz.headerLength());
      let at = gz.offset;
      let run = 0;
      let most = 0;
      let total = 0;
      const it = gz.inflate();
      for (let r = await it.next(); !r.done; r = await it.next()) {
        if (gz.offset !== at) {
          at = gz.offset;
          run = 0;
        }
        run += r.value.length;
        total += r.value.length;
        most = Math.max(most, run);
      }
      return { most, total };
    };
    const small = await peak(16 << 10);
    expect(small.total).toBe(plain[0]!.length + (48 << 20) + plain[1]!.length);
    expect(small.most).toBeLessThanOrEqual(1032 * (16 << 10));
    const whole = await peak(1 << 20); // what a whole input chunk at once would do
    expect(whole.most).toBeGreaterThan(1032 * (16 << 10));
  });
});
