/**
 * Opens a MediaWiki dump (`.xml`, `.xml.bz2`, `.xml.gz`) as a stream of decompressed bytes.
 *
 * bz2 choice: the system `bzip2 -dc FILE` (or `lbzip2 -dc`, when installed) as a child process started
 * with an argument vector, never a shell. Why not an npm library: Node has no built-in bzip2, and the
 * JavaScript ports (seek-bzip, unbzip2-stream, compressjs) are pure-JS decoders that run several times
 * slower than libbzip2 on the main thread, are thinly maintained, and would be a new dependency. The
 * reference `bzip2` is on every Linux machine (Debian package `bzip2`), decodes in C at ~30-60 MB/s of
 * output, and runs in its own process, so decompression overlaps our parsing on a second core; the pipe
 * applies backpressure, so memory stays bounded by the pipe buffer. `lbzip2` decodes one stream on all
 * cores and is picked automatically when present. On a truncated or corrupt file bzip2 emits every
 * complete block before failing, so the pages before the damage are still read; its exit status and
 * stderr become the error message.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createReadStream } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MassivetextError } from '../../pipeline/index.js';

export type DumpCompression = 'none' | 'bzip2' | 'gzip';

export function dumpCompressionOf(file: string): DumpCompression {
  const f = file.toLowerCase();
  if (f.endsWith('.bz2')) return 'bzip2';
  if (f.endsWith('.gz')) return 'gzip';
  return 'none';
}

export interface OpenedDump {
  stream: Readable;
  /** Resolves when the decompressor is done: null if it succeeded, else a description of the failure. */
  finished: Promise<string | null>;
}

/** First executable named `name` on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The bunzip2 command: explicit, else lbzip2 if installed, else bzip2. */
export function bunzip2Command(explicit?: string): string {
  if (explicit) return explicit;
  const found = findOnPath('lbzip2') ?? findOnPath('bzip2');
  if (!found) {
    throw new MassivetextError('missing_tool', 'reading .bz2 dumps needs the bzip2 program, which is not on PATH',
      'install it (Debian/Ubuntu: apt-get install bzip2) or decompress the dump first');
  }
  return found;
}

export function openDump(file: string, options: { bunzip2?: string } = {}): OpenedDump {
  const compression = dumpCompressionOf(file);
  if (compression === 'bzip2') {
    const cmd = bunzip2Command(options.bunzip2);
    const child = spawn(cmd, ['-dc', '--', file], { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < 4096) stderr += s;
    });
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    child.stdout.pipe(out);
    const finished = new Promise<string | null>((resolve) => {
      child.on('error', (e) => {
        out.end();
        resolve(`cannot run ${cmd}: ${e.message}`);
      });
      child.on('close', (code, signal) => {
        if (code === 0) resolve(null);
        else if (signal === 'SIGPIPE' || signal === 'SIGTERM') resolve(null); // we stopped reading early
        else resolve(`${path.basename(cmd)} exited with ${code ?? signal}: ${stderr.trim().replace(/\s+/g, ' ') || 'no message'}`);
      });
    });
    // If the consumer stops early (limit, abort), stop the child too.
    out.on('close', () => {
      if (!out.readableEnded && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    });
    return { stream: out, finished };
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (compression === 'none') {
    const finished = new Promise<string | null>((resolve) => {
      raw.on('error', (e) => resolve(e.message));
      raw.on('close', () => resolve(null));
    });
    return { stream: raw, finished };
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  let failure: string | null = null;
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  gunzip.on('error', (e) => {
    failure = `gzip: ${e.message}`;
    out.end();
  });
  gunzip.pipe(out);
  const finished = new Promise<string | null>((resolve) => {
    out.on('end', () => resolve(failure));
    out.on('close', () => resolve(failure));
  });
  return { stream: out, finished };
}
