/**
 * Signature files: `signatures/part-NNNNN.sig`, a 16-byte header (u32 magic 'MTSG', version, hashes,
 * reserved) then one fixed-size record of `hashes` int32 per document in ordinal order, so the bucket
 * phase reads any document's signature with one positioned read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { MassivetextError } from '../../../pipeline/errors.js';

export const SIG_MAGIC = 0x4753544d; // 'MTSG'
export const SIG_VERSION = 1;
export const SIG_HEADER_BYTES = 16;

export function signatureHeader(hashes: number): Uint8Array {
  return new Uint8Array(new Uint32Array([SIG_MAGIC, SIG_VERSION, hashes, 0]).buffer);
}

/** Random access to the signatures of many parts, with a bounded number of open files. */
export class SignatureStore {
  private readonly fds = new Map<number, number>(); // part -> fd, in LRU order
  private readonly k: number;
  reads = 0;

  constructor(private readonly fileOf: (part: number) => string, hashes: number, private readonly maxOpen = 128) {
    this.k = hashes;
  }

  private fd(part: number): number {
    let fd = this.fds.get(part);
    if (fd !== undefined) {
      this.fds.delete(part);
      this.fds.set(part, fd);
      return fd;
    }
    const file = this.fileOf(part);
    fd = openSync(file, 'r');
    const head = new Uint32Array(4);
    readSync(fd, head, 0, 16, 0);
    if (head[0] !== SIG_MAGIC || head[1] !== SIG_VERSION || head[2] !== this.k) {
      closeSync(fd);
      throw new MassivetextError('bad_dedup_file', `${file}: not a signature file with ${this.k} hashes`,
        'the MinHash options changed between phases, or the file is damaged: delete the work directory and re-run', { file });
    }
    this.fds.set(part, fd);
    if (this.fds.size > this.maxOpen) {
      const [oldPart, oldFd] = this.fds.entries().next().value as [number, number];
      closeSync(oldFd);
      this.fds.delete(oldPart);
    }
    return fd;
  }

  /** Reads the signature of (part, ordinal) into out. */
  read(part: number, ordinal: number, out: Int32Array): void {
    const bytes = this.k * 4;
    const n = readSync(this.fd(part), out, 0, bytes, SIG_HEADER_BYTES + ordinal * bytes);
    this.reads++;
    if (n !== bytes) {
      throw new MassivetextError('bad_dedup_file', `${this.fileOf(part)}: no signature for document ${ordinal}`,
        'delete the dedup work directory and re-run the signature phase', { file: this.fileOf(part), record: ordinal });
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
