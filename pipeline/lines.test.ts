import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { readLines } from './lines.js';

const c4 = [1, 2, 3].map((i) => readFileSync(corpus(`c4/olmo-c4-sample.0${i}.json.gz`)));
const plainLines = c4.flatMap((b) => gunzipSync(b).toString('utf8').split('\n').filter((l) => l !== ''));

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-lines-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** The lines read from `bytes` written as a .gz file, and the error that ended the read (if any). */
async function gzLines(name: string, bytes: Buffer): Promise<{ lines: string[]; error: Error | null }> {
  const f = path.join(dir, name);
  await fs.writeFile(f, bytes);
  const lines: string[] = [];
  try {
    for await (const l of readLines(f)) lines.push(l.text);
  } catch (e) {
    return { lines, error: e as Error };
  }
  return { lines, error: null };
}

describe('readLines over gzip, member by member', () => {
  it('reads concatenated members (RFC 1952) as one stream, and ignores zero padding', async () => {
    const r = await gzLines('three.json.gz', Buffer.concat([...c4, Buffer.alloc(4096)]));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual(plainLines);
  });

  it('keeps every line before trailing garbage, a truncated member or a bad CRC, then names the damage', async () => {
    const garbage = await gzLines('garbage.json.gz', Buffer.concat([c4[0]!, Buffer.from('not gzip at all')]));
    expect(garbage.lines).toEqual(plainLines.slice(0, 10));
    expect(garbage.error?.message).toMatch(/garbage\.json\.gz: .* after line 10: trailing garbage after the last gzip member/);

    const crc = Buffer.from(Buffer.concat([c4[0]!, c4[1]!]));
    crc[c4[0]!.length - 8]! ^= 1; // first member's CRC-32
    const badCrc = await gzLines('crc.json.gz', crc);
    expect(badCrc.lines).toEqual(plainLines.slice(0, 10)); // the damaged member's data is delivered, not what follows
    expect(badCrc.error?.message).toMatch(/after line 10: incorrect data check/);

    const cut = await gzLines('cut.json.gz', Buffer.concat([c4[0]!, c4[1]!.subarray(0, c4[1]!.length - 4)]));
    expect(cut.lines).toEqual(plainLines.slice(0, 20)); // all the data before the cut
    expect(cut.error?.message).toMatch(/unexpected end of file \(gzip trailer\)/);
  });

  it('a 0-byte or non-gzip .gz file is an error', async () => {
    expect((await gzLines('empty.json.gz', Buffer.alloc(0))).error?.message).toMatch(/empty gzip file/);
    expect((await gzLines('plain.json.gz', gunzipSync(c4[0]!))).error?.message).toMatch(/incorrect header check/);
  });
});
