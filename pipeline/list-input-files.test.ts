import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus } from '../tests/helpers/corpora.js';
import { listInputFiles } from './list-input-files.js';

let dir: string;
beforeAll(async () => {
  // a tree with real corpus files, created in an order that differs from the sorted one
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'list-input-files-'));
  for (const rel of ['b/z.jsonl', 'a.txt', 'c.jsonl.zst', 'b/a.json.gz', 'B.jsonl', 'b/deeper/x.jsonl']) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.copyFile(corpus('books/sentencepiece-botchan.txt'), path.join(dir, rel));
  }
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('listInputFiles', () => {
  const jsonl = (f: string) => /\.(?:jsonl?|json\.gz|jsonl\.zst)$/.test(f);

  it('lists the accepted files directly inside a directory, in code-unit order', async () => {
    expect((await listInputFiles([dir], { accept: jsonl })).map((f) => path.relative(dir, f))).toEqual(['B.jsonl', 'c.jsonl.zst']);
  });

  it('walks sub-directories in sorted order when recursive, and keeps a file named directly', async () => {
    const files = await listInputFiles([path.join(dir, 'a.txt'), dir], { accept: jsonl, recursive: true });
    expect(files.map((f) => path.relative(dir, f))).toEqual(['a.txt', 'B.jsonl', path.join('b', 'a.json.gz'), path.join('b', 'deeper', 'x.jsonl'), path.join('b', 'z.jsonl'), 'c.jsonl.zst']);
    expect((await listInputFiles([path.join(dir, 'b')], { recursive: true })).length).toBe(3);
  });

  it('names a missing input before any work starts, with the caller\'s hint', async () => {
    const missing = path.join(dir, 'nope');
    await expect(listInputFiles([dir, missing], { hint: 'check the dump path' })).rejects.toMatchObject({
      code: 'unreadable_input', hint: 'check the dump path', position: { file: missing },
    });
  });
});
