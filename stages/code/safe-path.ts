/**
 * Path safety for repository files. An archive entry or a symlink must stay inside the repository root:
 * absolute paths, drive letters, and `..` that climbs above the root are refused (the "zip slip" /
 * CVE-2018-1002200 class of bugs). Paths are compared after normalisation, as POSIX paths.
 */
import * as path from 'node:path';

/** Normalised relative path of an archive entry, or null if it escapes the root. */
export function safeEntryPath(entryPath: string): string | null {
  if (entryPath.includes('\0')) return null;
  const p = entryPath.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p)) return null;
  const norm = path.posix.normalize(p);
  if (norm === '..' || norm.startsWith('../')) return null;
  return norm === '.' ? '' : norm.replace(/\/$/, '');
}

/** Whether a symlink at `linkPath` (relative to the root) pointing to `target` stays inside the root. */
export function symlinkStaysInside(linkPath: string, target: string): boolean {
  if (target.startsWith('/') || /^[a-zA-Z]:/.test(target)) return false;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(linkPath), target.replace(/\\/g, '/')));
  return resolved !== '..' && !resolved.startsWith('../');
}

/** Whether an absolute path lies inside (or is) the absolute root. */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
