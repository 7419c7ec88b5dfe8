/**
 * Atomic writes on a full filesystem: a tiny tmpfs (mounted by the test; root only) is filled to every
 * free-space level from 0 to past the size of the file, page by page, and each commit must either succeed
 * with every byte in place or throw out_of_disk leaving neither the file nor a temp file behind.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { AtomicWriter, writeFileAtomic } from './atomic-file.js';
import { isMassivetextError } from './errors.js';

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
const PAGE = 4096;
const SIZE = 256 * 1024;

let tmp: string;
let mnt: string;
// Real bytes to write: a Wikipedia dump sample (bz2, incompressible), cut to just under 40 pages.
let data: Buffer;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-atomic-'));
  data = readFileSync(corpus('wikipedia/enwiki-20160407-sample-part1.xml.bz2')).subarray(0, 40 * PAGE - 123);
  expect(data.length).toBe(40 * PAGE - 123);
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

/** Mounts a fresh SIZE tmpfs and fills it so that `free` bytes remain. */
async function fullDisk(free: number): Promise<string> {
  mnt = await fs.mkdtemp(path.join(tmp, 'mnt-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', mnt]);
  expect(m.status, m.stderr?.toString()).toBe(0);
  await fs.writeFile(path.join(mnt, 'filler'), Buffer.alloc(SIZE - free, 1));
  const st = await fs.statfs(mnt);
  expect(st.bavail * st.bsize).toBe(free);
  return path.join(mnt, 'out');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function unmount(): void {
  spawnSync('umount', ['-l', mnt]);
}

/** The outcome of one write: the file must be whole, or absent with an out_of_disk error. */
async function expectWholeOrNothing(file: string, want: Buffer, run: () => Promise<void>): Promise<'ok' | 'out_of_disk'> {
  let err: unknown = null;
  try {
    await run();
  } catch (e) {
    err = e;
  }
  const names = await fs.readdir(path.dirname(file)).catch(() => [] as string[]);
  expect(names.filter((n) => n.includes('.tmp-')), 'no temp file left').toEqual([]);
  if (err === null) {
    const got = await fs.readFile(file);
    expect(got.length).toBe(want.length);
    expect(got.equals(want), 'committed bytes are the bytes written').toBe(true);
    return 'ok';
  }
  expect(isMassivetextError(err) && err.code, String((err as Error)?.stack ?? err)).toBe('out_of_disk');
  expect(names, `no ${path.basename(file)} after a failed commit`).not.toContain(path.basename(file));
  return 'out_of_disk';
}

/** Chunkings of `data`: one write, the stream's buffer size, small buffered writes, odd sizes. */
const chunkings: [string, number[]][] = [
  ['one write', [Infinity]],
  ['16 KiB writes', [16384]],
  ['1000-byte writes (buffered, no drain)', [1000]],
  ['odd sizes', [1, 4095, 4097, 777, 30000, 9]],
];

function chunksOf(buf: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < buf.length; i++) {
    const n = Math.min(buf.length - at, sizes[i % sizes.length]!);
    out.push(buf.subarray(at, at + n));
    at += n;
  }
  return out;
}

// Free space from none to two pages past the file's size, page by page.
const levels = Array.from({ length: 43 }, (_, i) => i * PAGE);

describe.skipIf(!canMount)('atomic writes on a full tmpfs (root only)', () => {
  for (const [name, sizes] of chunkings) {
    it(`AtomicWriter, ${name}: at every free-space level the commit is whole or throws out_of_disk leaving nothing`, { timeout: 120_000 }, async () => {
      const seen = { ok: 0, out_of_disk: 0 };
      for (const free of levels) {
        const out = await fullDisk(free);
        try {
          const file = path.join(out, 'part-00000.jsonl.zst');
          seen[await expectWholeOrNothing(file, data, async () => {
            const w = await AtomicWriter.open(file);
            try {
              for (const c of chunksOf(data, sizes)) await w.write(c);
              await w.commit();
            } catch (e) {
              await w.abort();
              throw e;
            }
          })]++;
        } finally {
          unmount();
        }
      }
      // both outcomes were exercised: the levels below the file's size fail, those above succeed
      expect(seen.out_of_disk).toBeGreaterThanOrEqual(39);
      expect(seen.ok).toBeGreaterThanOrEqual(2);
    });
  }

  it('AtomicWriter: writes issued without waiting for each other, then commit: whole or out_of_disk', { timeout: 120_000 }, async () => {
    const seen = { ok: 0, out_of_disk: 0 };
    for (const free of levels) {
      const out = await fullDisk(free);
      try {
        const file = path.join(out, 'x.bin');
        seen[await expectWholeOrNothing(file, data, async () => {
          const w = await AtomicWriter.open(file);
          const writes = chunksOf(data, [3000]).map((c) => w.write(c));
          const commit = w.commit();
          // every write settles, whatever the outcome (a write waiting for 'drain' after end() used to hang)
          const settled = await Promise.race([Promise.allSettled([...writes, commit]), sleep(10_000).then(() => null)]);
          expect(settled, `free ${free}: writes or commit never settled`).not.toBeNull();
          const failed = settled!.find((r) => r.status === 'rejected');
          if (failed) {
            await w.abort();
            throw (failed as PromiseRejectedResult).reason;
          }
        })]++;
      } finally {
        unmount();
      }
    }
    expect(seen.out_of_disk).toBeGreaterThanOrEqual(39);
    expect(seen.ok).toBeGreaterThanOrEqual(2);
  });

  it('bytes lost between write and commit (the temp file cut short) are never renamed into place', async () => {
    const out = await fullDisk(44 * PAGE);
    try {
      const file = path.join(out, 'part-00001.jsonl.zst');
      const w = await AtomicWriter.open(file);
      for (const c of chunksOf(data, [16384])) await w.write(c);
      await fs.truncate(w.tmp, data.length - 100); // as if the last write had been swallowed
      await expect(w.commit()).rejects.toMatchObject({ code: 'short_write' });
      expect(await fs.readdir(out)).toEqual([]);
    } finally {
      unmount();
    }
  });

  it('writeFileAtomic: whole or out_of_disk at every free-space level', { timeout: 120_000 }, async () => {
    const seen = { ok: 0, out_of_disk: 0 };
    for (const free of levels) {
      const out = await fullDisk(free);
      try {
        const file = path.join(out, 'manifest.json');
        seen[await expectWholeOrNothing(file, data, () => writeFileAtomic(file, data))]++;
      } finally {
        unmount();
      }
    }
    expect(seen.out_of_disk).toBeGreaterThanOrEqual(39);
    expect(seen.ok).toBeGreaterThanOrEqual(2);
  });
});
