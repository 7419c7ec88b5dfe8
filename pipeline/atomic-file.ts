/**
 * Atomic file writes: write to `<name>.tmp-<pid>-<n>`, fsync, rename. A reader never sees a half-written
 * file, and a crash leaves only a temp file that `removeStaleTemps` cleans up on the next run.
 */
import { closeSync, promises as fs, createWriteStream, fsyncSync, openSync, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from './errors.js';

let counter = 0;
const TEMP_MARK = '.tmp-';

export function tempNameFor(file: string): string {
  return `${file}${TEMP_MARK}${process.pid}-${++counter}`;
}

export function isTempName(name: string): boolean {
  return name.includes(TEMP_MARK);
}

/**
 * Makes the renames in `dir` durable: fsync of the directory (POSIX: a rename is durable only once its
 * directory is synced). Best effort where a system cannot sync a directory (EINVAL, EISDIR, EPERM).
 */
export async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    if (!cannotSyncDirectory(e)) throw e;
  } finally {
    await fh?.close();
  }
}

/** syncDirectory for synchronous writers. */
export function syncDirectorySync(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    if (!cannotSyncDirectory(e)) throw e;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function cannotSyncDirectory(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'EINVAL' || code === 'EISDIR' || code === 'EPERM' || code === 'EBADF';
}

/** Writes the whole content atomically. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
    await syncDirectory(path.dirname(file));
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw wrapWriteError(e, file);
  }
}

/** A streaming atomic writer: write chunks, then commit() renames; abort() removes the temp file. */
export class AtomicWriter {
  readonly file: string;
  readonly tmp: string;
  private stream: WriteStream;
  private failed: unknown = null;
  bytes = 0;

  private constructor(file: string) {
    this.file = file;
    this.tmp = tempNameFor(file);
    this.stream = createWriteStream(this.tmp);
    this.stream.on('error', (e) => (this.failed = e));
  }

  static async open(file: string): Promise<AtomicWriter> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    return new AtomicWriter(file);
  }

  /**
   * Writes a chunk. When the stream's buffer is full it waits until this chunk is written (its own write
   * callback), never for 'drain': a stream that ends, fails or is destroyed emits no 'drain', so a waiter
   * on it would hang, while a write callback is always called (with the error, if any).
   */
  async write(chunk: Uint8Array | string): Promise<void> {
    if (this.failed) throw wrapWriteError(this.failed, this.file);
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    let ok = true;
    const written = new Promise<void>((resolve, reject) => {
      ok = this.stream.write(chunk, (err?: Error | null) => (err ? reject(wrapWriteError(err, this.file)) : resolve()));
    });
    if (!ok) await written;
    // Not waited for: its error (if any) also reaches `failed`, and the next write or commit throws it.
    else written.catch(() => {});
  }

  /**
   * Ends the stream, checks that every byte accepted by write() is in the temp file, fsyncs and renames.
   * On any failure the temp file is removed and nothing is renamed.
   */
  async commit(): Promise<void> {
    try {
      // Wait for 'close', not just 'finish': a write error that surfaces only when the descriptor is closed
      // (NFS, quotas) is emitted after 'finish', and must stop the rename too.
      await new Promise<void>((resolve, reject) => {
        const closed = () => {
          if (this.failed) reject(this.failed);
          else if (!this.stream.writableFinished) reject(new Error(`${this.tmp} was closed before all writes finished`));
          else resolve();
        };
        if (this.stream.closed) return closed();
        this.stream.once('close', closed);
        this.stream.end();
      });
      const fh = await fs.open(this.tmp, 'r+');
      try {
        // A short file here would be a write lost on the way (a swallowed error): never rename it into place.
        const { size } = await fh.stat();
        if (size !== this.bytes) {
          throw new MassivetextError('short_write', `only ${size} of ${this.bytes} bytes reached ${this.tmp}; ${this.file} was not written`,
            'check free disk space and re-run: completed parts are kept and the run resumes', { file: this.file });
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.rename(this.tmp, this.file);
      await syncDirectory(path.dirname(this.file));
    } catch (e) {
      await fs.rm(this.tmp, { force: true });
      throw wrapWriteError(e, this.file);
    }
  }

  async abort(): Promise<void> {
    // The file is opened asynchronously: wait until the stream is closed, or the open could land after the rm.
    if (!this.stream.closed) {
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
        this.stream.destroy();
      });
    }
    await fs.rm(this.tmp, { force: true });
  }
}

/** The pid that wrote a temp file, from its name `<file>.tmp-<pid>-<n>`. */
export function tempOwner(name: string): number | null {
  const m = /\.tmp-(\d+)-\d+$/.exec(name);
  return m ? Number(m[1]) : null;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RemoveTempsOptions {
  /** Only this process's temp files (cleanup after a failure). Default: files of processes that are gone. */
  onlyPid?: number;
}

/**
 * Removes leftover temp files under dir, recursively, and returns how many. By default only those whose
 * writer process is gone (a killed run), so a concurrent writer on this host is never disturbed.
 */
export async function removeStaleTemps(dir: string, options: RemoveTempsOptions = {}): Promise<number> {
  let n = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += await removeStaleTemps(p, options);
    else if (isTempName(e.name)) {
      const owner = tempOwner(e.name);
      if (options.onlyPid !== undefined ? owner !== options.onlyPid : owner !== null && isAlive(owner)) continue;
      await fs.rm(p, { force: true });
      n++;
    }
  }
  return n;
}

function wrapWriteError(e: unknown, file: string): unknown {
  if (e instanceof MassivetextError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new MassivetextError('out_of_disk', `no space left on device while writing ${file}`,
      'free disk space (or point --out at a larger filesystem) and re-run the same command: completed parts are kept and the run resumes', { file }, { cause: e });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new MassivetextError('write_denied', `cannot write ${file}: ${(e as Error).message}`,
      'check the permissions of the output directory or choose another --out', { file }, { cause: e });
  }
  return e;
}
