import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpus } from '../../tests/helpers/corpora.js';
import { safeEntryPath, symlinkStaysInside } from './safe-path.js';
import { readTar, type TarEntry } from './tar-reader.js';
import { paxData, tarEntry, tarGz } from './testing/make-tar.js';

async function all(file: string, opts = {}): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const e of readTar(file, opts)) out.push(e);
  return out;
}
const tmp = () => mkdtempSync(path.join(tmpdir(), 'mt-tar-'));

describe('readTar', () => {
  it('reads a real .tar.gz: every entry with its bytes', async () => {
    const entries = await all(corpus('code/antirez__sds.tar.gz'));
    expect(entries.map((e) => e.path)).toEqual(['antirez__sds/.gitignore', 'antirez__sds/Changelog', 'antirez__sds/LICENSE', 'antirez__sds/Makefile',
      'antirez__sds/README.md', 'antirez__sds/sds.c', 'antirez__sds/sds.h', 'antirez__sds/sdsalloc.h', 'antirez__sds/testhelp.h']);
    const sdsC = entries.find((e) => e.path.endsWith('sds.c'))!;
    expect(sdsC.size).toBe(41951);
    expect(sdsC.data!.toString('utf8')).toContain('sdsnewlen');
  });

  it('also reads plain .tar, skips unwanted or oversized bodies without buffering them', async () => {
    const dir = tmp();
    const tar = path.join(dir, 'sds.tar');
    writeFileSync(tar, gunzipSync(readFileSync(corpus('code/antirez__sds.tar.gz'))));
    const entries = await all(tar, { maxFileBytes: 10_000, wantData: (p: string) => !p.endsWith('.h') });
    expect(entries).toHaveLength(9);
    expect(entries.find((e) => e.path.endsWith('sds.c'))!.data).toBeUndefined(); // 41951 > 10000
    expect(entries.find((e) => e.path.endsWith('sds.h'))!.data).toBeUndefined(); // not wanted
    expect(entries.find((e) => e.path.endsWith('Makefile'))!.data!.length).toBe(212);
  });

  it('GNU long names and pax path/size headers', async () => {
    const real = readFileSync(corpus('code/antirez__sds.tar.gz'));
    const body = (await all(corpus('code/antirez__sds.tar.gz'))).find((e) => e.path.endsWith('sdsalloc.h'))!.data!;
    const longName = `repo/${'deep/'.repeat(30)}sdsalloc.h`;
    const dir = tmp();
    const file = path.join(dir, 'long.tar.gz');
    writeFileSync(file, tarGz(
      tarEntry('././@LongLink', Buffer.from(`${longName}\0`), 'L'),
      tarEntry('repo/truncated-name', body),
      tarEntry('repo/PaxHeader', paxData({ path: 'repo/ünïcode-name.h' }), 'x'),
      tarEntry('repo/ascii-name.h', body),
      tarEntry('repo/dir/', undefined, '5'),
      tarEntry('repo/link.h', undefined, '2', 'ünïcode-name.h'),
    ));
    expect(real.length).toBeGreaterThan(0);
    const entries = await all(file);
    expect(entries.map((e) => [e.path, e.type])).toEqual([[longName, 'file'], ['repo/ünïcode-name.h', 'file'], ['repo/dir/', 'dir'], ['repo/link.h', 'symlink']]);
    expect(entries[0]!.data).toEqual(body);
    expect(entries[3]!.linkname).toBe('ünïcode-name.h');
  });

  it('a bad header checksum and a truncated stream are errors with the byte offset', async () => {
    const dir = tmp();
    const tar = gunzipSync(readFileSync(corpus('code/antirez__sds.tar.gz')));
    const corrupt = Buffer.from(tar);
    const second = 512 + Math.ceil(9 / 512) * 512; // .gitignore is 9 bytes: header + one block
    corrupt[second + 10] ^= 0xff;
    writeFileSync(path.join(dir, 'corrupt.tar'), corrupt);
    const got: string[] = [];
    await expect((async () => { for await (const e of readTar(path.join(dir, 'corrupt.tar'))) got.push(e.path); })())
      .rejects.toThrow(`entry header at byte ${second} has a bad checksum`);
    expect(got).toEqual(['antirez__sds/.gitignore']);
    writeFileSync(path.join(dir, 'cut.tar'), tar.subarray(0, 20_000));
    await expect(all(path.join(dir, 'cut.tar'))).rejects.toThrow(/cut\.tar: archive is truncated or corrupt inside "antirez__sds\/README\.md" \(byte \d+ of the tar stream\)/);
  });
});

describe('safe paths', () => {
  it('refuses absolute paths and .. escapes, normalises the rest', () => {
    expect(safeEntryPath('repo/./src/../lib/a.js')).toBe('repo/lib/a.js');
    expect(safeEntryPath('./a.js')).toBe('a.js');
    expect(safeEntryPath('repo/../../evil')).toBeNull();
    expect(safeEntryPath('../evil')).toBeNull();
    expect(safeEntryPath('/etc/passwd')).toBeNull();
    expect(safeEntryPath('C:\\Windows\\evil')).toBeNull();
    expect(safeEntryPath('a\\..\\..\\evil')).toBeNull();
    expect(symlinkStaysInside('repo/lib/a.js', '../README.md')).toBe(true);
    expect(symlinkStaysInside('lib/a.js', '../../etc/passwd')).toBe(false);
    expect(symlinkStaysInside('a.js', '/etc/passwd')).toBe(false);
  });
});
