/**
 * A repository as two passes over its files, whatever it is stored as (a directory, a tar archive, a git
 * clone): `list()` gives every entry with its size (and the root licence files' text), `read(paths)` then
 * yields the bytes of the chosen files in listing order. Two passes let the licence decide before any
 * file is read, and keep memory bounded by one file.
 *
 * Safety: archive entries whose path escapes the repository root (absolute, `..`) and symlinks that point
 * outside it are listed as `escape` entries, never read; nothing is extracted to disk.
 */
import { lstat, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { RecordError } from '../../pipeline/index.js';
import { isLicenceFile } from './licence.js';
import { isInside, safeEntryPath, symlinkStaysInside } from './safe-path.js';
import { readTar } from './tar-reader.js';

export interface RepoEntry {
  /** Path relative to the repository root, POSIX separators. */
  path: string;
  kind: 'file' | 'symlink' | 'hardlink' | 'other' | 'escape';
  size: number;
  /** Why an `escape` entry was refused, or a link target. */
  detail?: string;
  /** Position in the archive, for messages. */
  offset?: number;
}

export interface RepoListing {
  entries: RepoEntry[];
  /** Root licence files and package.json: name -> text. */
  licenceFiles: Map<string, string>;
  packageJson?: string;
  /** A listing error (truncated/corrupt archive): the entries before it are still valid. */
  error?: RecordError;
}

export interface RepoReader {
  /** `owner/repo` style name. */
  readonly name: string;
  /** The input this repository came from (directory, archive or URL). */
  readonly source: string;
  readonly commit?: string;
  list(): Promise<RepoListing>;
  read(paths: ReadonlySet<string>, maxFileBytes: number): AsyncGenerator<{ path: string; data: Buffer }>;
}

const isRootMeta = (p: string) => !p.includes('/') && (isLicenceFile(p) || p === 'package.json');

/** `owner__repo.tar.gz` -> `owner/repo`; other names lose their extension. */
export function repoNameOfFile(file: string): string {
  const base = path.basename(file).replace(/\.(tar\.gz|tgz|tar)$/i, '');
  const m = /^([^_]+(?:_[^_]+)*)__(.+)$/.exec(base);
  return m ? `${m[1]}/${m[2]}` : base;
}

export class DirectoryRepo implements RepoReader {
  constructor(readonly root: string, readonly name: string, readonly source: string = root, readonly commit?: string) {}

  async list(): Promise<RepoListing> {
    const entries: RepoEntry[] = [];
    const licenceFiles = new Map<string, string>();
    let packageJson: string | undefined;
    const realRoot = await realpath(this.root);
    const walk = async (dir: string, rel: string): Promise<void> => {
      const names = (await readdir(dir)).sort();
      for (const name of names) {
        if (name === '.git' && rel === '') continue;
        const abs = path.join(dir, name);
        const relPath = rel ? `${rel}/${name}` : name;
        const st = await lstat(abs);
        if (st.isSymbolicLink()) {
          let target = '';
          let inside = false;
          try {
            target = await readlink(abs);
            inside = isInside(realRoot, await realpath(abs));
          } catch {
            // dangling link: judge by its text
            inside = symlinkStaysInside(relPath, target);
          }
          entries.push(inside ? { path: relPath, kind: 'symlink', size: 0, detail: target }
            : { path: relPath, kind: 'escape', size: 0, detail: `symlink "${relPath}" -> "${target}" points outside the repository` });
        } else if (st.isDirectory()) {
          await walk(abs, relPath);
        } else if (st.isFile()) {
          entries.push({ path: relPath, kind: 'file', size: st.size });
          if (isRootMeta(relPath) && st.size <= 1 << 20) {
            const text = await readFile(abs, 'utf8');
            if (relPath === 'package.json') packageJson = text;
            else licenceFiles.set(relPath, text);
          }
        } else {
          entries.push({ path: relPath, kind: 'other', size: 0 });
        }
      }
    };
    await walk(this.root, '');
    return packageJson === undefined ? { entries, licenceFiles } : { entries, licenceFiles, packageJson };
  }

  async *read(paths: ReadonlySet<string>): AsyncGenerator<{ path: string; data: Buffer }> {
    for (const p of [...paths].sort()) yield { path: p, data: await readFile(path.join(this.root, ...p.split('/'))) };
  }
}

export class TarRepo implements RepoReader {
  /** Leading directory shared by every entry (GitHub tarballs wrap everything in `repo-sha/`), stripped. */
  private prefix = '';
  constructor(readonly file: string, readonly name: string = repoNameOfFile(file)) {}
  get source(): string {
    return this.file;
  }

  async list(): Promise<RepoListing> {
    const raw: { entryPath: string; type: string; size: number; linkname: string; offset: number; data?: Buffer }[] = [];
    let error: RecordError | undefined;
    try {
      for await (const e of readTar(this.file, { wantData: (p) => {
        const parts = p.replace(/^\.\//, '').split('/').filter(Boolean);
        return parts.length <= 2 && (isLicenceFile(parts[parts.length - 1]!) || parts[parts.length - 1] === 'package.json');
      } })) {
        raw.push({ entryPath: e.path, type: e.type, size: e.size, linkname: e.linkname, offset: e.offset, ...(e.data ? { data: e.data } : {}) });
      }
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      error = e;
    }
    // shared top-level directory
    const safe = raw.map((r) => safeEntryPath(r.entryPath));
    const firsts = new Set(safe.filter((p): p is string => p !== null && p !== '').map((p) => p.split('/')[0]));
    const onlyDir = firsts.size === 1 ? [...firsts][0]! : '';
    this.prefix = onlyDir && safe.every((p) => p === null || p === '' || p === onlyDir || p.startsWith(`${onlyDir}/`)) && safe.some((p) => p !== null && p.startsWith(`${onlyDir}/`)) ? `${onlyDir}/` : '';
    const entries: RepoEntry[] = [];
    const licenceFiles = new Map<string, string>();
    let packageJson: string | undefined;
    raw.forEach((r, i) => {
      const p = safe[i];
      if (p === null || p === undefined) {
        entries.push({ path: r.entryPath, kind: 'escape', size: r.size, detail: `archive entry "${r.entryPath}" escapes the target directory`, offset: r.offset });
        return;
      }
      if (r.type === 'dir') return;
      const rel = this.prefix && p.startsWith(this.prefix) ? p.slice(this.prefix.length) : p;
      if (rel === '') return;
      if (r.type === 'symlink' || r.type === 'hardlink') {
        const linkTarget = r.type === 'hardlink' ? (safeEntryPath(r.linkname) ?? '../') : r.linkname;
        const inside = r.type === 'hardlink' ? !linkTarget.startsWith('../') : symlinkStaysInside(p, r.linkname);
        entries.push(inside ? { path: rel, kind: r.type, size: 0, detail: r.linkname, offset: r.offset }
          : { path: rel, kind: 'escape', size: 0, detail: `${r.type} "${r.entryPath}" -> "${r.linkname}" points outside the repository`, offset: r.offset });
        return;
      }
      if (r.type !== 'file') {
        entries.push({ path: rel, kind: 'other', size: 0, offset: r.offset });
        return;
      }
      entries.push({ path: rel, kind: 'file', size: r.size, offset: r.offset });
      if (r.data && isRootMeta(rel)) {
        if (rel === 'package.json') packageJson = r.data.toString('utf8');
        else licenceFiles.set(rel, r.data.toString('utf8'));
      }
    });
    const listing: RepoListing = { entries, licenceFiles };
    if (packageJson !== undefined) listing.packageJson = packageJson;
    if (error) listing.error = error;
    return listing;
  }

  async *read(paths: ReadonlySet<string>, maxFileBytes: number): AsyncGenerator<{ path: string; data: Buffer }> {
    const rel = (p: string) => {
      const s = safeEntryPath(p);
      if (s === null) return null;
      return this.prefix && s.startsWith(this.prefix) ? s.slice(this.prefix.length) : s;
    };
    const seen = new Set<string>();
    try {
      for await (const e of readTar(this.file, { maxFileBytes, wantData: (p) => { const r = rel(p); return r !== null && paths.has(r); } })) {
        const r = rel(e.path);
        if (r === null || !e.data || !paths.has(r) || seen.has(r)) continue;
        seen.add(r); // a path repeated in an archive: the first copy only
        yield { path: r, data: e.data };
      }
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      // already reported by list(); the entries before the damage have been yielded
    }
  }
}
