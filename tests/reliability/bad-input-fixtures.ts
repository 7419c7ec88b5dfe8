/**
 * Hostile and broken inputs for the bad-input matrix (issue 12), each made at test time from REAL files
 * in shared/corpora: cut, corrupted, wrapped or inflated, never written from scratch where a real file
 * can serve. Big inputs (a 100 MB document, decompression bombs) are generated once per run.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { paxData, tarEntry } from '../../stages/code/testing/make-tar.js';
import { warcResponseRecord } from '../../stages/web/warc-writer.js';
import { corpus } from '../helpers/corpora.js';

export const real = {
  dolma: corpus('c4/dolma-cc_en_head-0091.jsonl.gz'),
  c4: [1, 2, 3].map((i) => corpus(`c4/olmo-c4-sample.0${i}.json.gz`)),
  ccWarc: corpus('warc/resiliparse-commoncrawl-sample.warc.gz'),
  arc: corpus('warc/webarchive-commons-IAH-blackbook-truncated.arc'),
  wikiBz2: corpus('wikipedia/enwiki-table-markup.xml.bz2'),
  wikiBig: corpus('wikipedia/enwiki-20160407-sample-part1.xml.bz2'),
  guardian: corpus('feeds/rss-parser-guardian.rss'),
  heise: corpus('feeds/rss-parser-heise.atom'),
  vfile: corpus('code/vfile__vfile.tar.gz'),
  sds: corpus('code/antirez__sds.tar.gz'),
  germanPage: corpus('html/trafilatura/de.creativecommons.org.endlich.html'),
  blogPage: corpus('html/trafilatura/lemire.me.json.html'),
  book: corpus('books/gutenberg-clean/1013.txt'),
  rawBook: corpus('books/gutenberg-raw/10026.txt'),
  tarBytes: corpus('code/antirez__sds.tar.gz'),
};

/** Runs a program with an argument vector (never a shell), feeding `input`, returning stdout. */
export function pipeThrough(cmd: string, args: string[], input: Buffer | AsyncIterable<Buffer>, outFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const out = createWriteStream(outFile);
    child.stdout.pipe(out);
    child.on('error', reject);
    out.on('close', () => resolve());
    (async () => {
      if (Buffer.isBuffer(input)) child.stdin.end(input);
      else {
        for await (const c of input) if (!child.stdin.write(c)) await once(child.stdin, 'drain');
        child.stdin.end();
      }
    })().catch(reject);
  });
}

/** `n` zero bytes as 1 MiB chunks (the payload of every decompression bomb here). */
export async function* zeros(n: number): AsyncGenerator<Buffer> {
  const mb = Buffer.alloc(1 << 20);
  for (let left = n; left > 0; left -= mb.length) yield left >= mb.length ? mb : mb.subarray(0, left);
}

/** gzip (level 9) of a sequence of buffers and zero runs, streamed: a bomb never sits in memory. */
export async function gzipParts(parts: (Buffer | { zeros: number })[]): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = once(gz, 'end');
  for (const p of parts) {
    const src = Buffer.isBuffer(p) ? [p] : zeros(p.zeros);
    for await (const c of src) if (!gz.write(c)) await once(gz, 'drain');
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

export const gunzipFile = (f: string): Buffer => gunzipSync(readFileSync(f));

/** The records of a plain WARC, split at their version lines (for re-compressing record by record). */
export function warcRecords(warc: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = warc.indexOf('WARC/1.'); i >= 0; i = warc.indexOf('WARC/1.', i + 1)) if (i === 0 || warc[i - 1] === 10) starts.push(i);
  return starts.map((s, k) => warc.subarray(s, starts[k + 1] ?? warc.length));
}

/** A tar.gz holding the real archive's entries plus `extra` entries (hostile names, links) in the middle. */
export function tarGzWith(realTarGz: string, extra: Buffer[], at = 5): Buffer {
  const tar = gunzipFile(realTarGz);
  const entries: Buffer[] = [];
  let p = 0;
  while (p + 512 <= tar.length) {
    const h = tar.subarray(p, p + 512);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(h.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
    const len = 512 + Math.ceil(size / 512) * 512;
    entries.push(tar.subarray(p, p + len));
    p += len;
  }
  entries.splice(at, 0, ...extra);
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));
}

/** Multi-frame zstd (one frame per input, as pzstd or a sharded writer produce). */
export function zstdFrames(parts: Buffer[]): Buffer {
  return Buffer.concat(parts.map((p) => zstdCompress(p)));
}

/** bzip2 via the system program (argument vector, no shell). */
export function bzip2(input: Buffer | AsyncIterable<Buffer>, outFile: string): Promise<void> {
  return pipeThrough('bzip2', ['-c', '-9'], input, outFile);
}

/** Replaces the first occurrence of `from` in `buf`, failing loudly when it is absent (a fixture drifted). */
export function replaceOnce(buf: Buffer, from: string | Buffer, to: string | Buffer): Buffer {
  const f = Buffer.isBuffer(from) ? from : Buffer.from(from, 'latin1');
  const i = buf.indexOf(f);
  if (i < 0) throw new Error(`fixture drift: ${JSON.stringify(f.toString('latin1').slice(0, 60))} not found`);
  return Buffer.concat([buf.subarray(0, i), Buffer.isBuffer(to) ? to : Buffer.from(to, 'latin1'), buf.subarray(i + f.length)]);
}

export { paxData, tarEntry, warcResponseRecord };

export async function write(dir: string, name: string, data: Buffer | string): Promise<string> {
  const f = path.join(dir, name);
  await fs.mkdir(path.dirname(f), { recursive: true });
  await fs.writeFile(f, data);
  return f;
}
