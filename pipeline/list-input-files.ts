/**
 * Expands input paths (files, or directories of files) into a file list in a fixed order, so that the
 * document order, and hence the output bytes, never depend on readdir order. A file named directly is
 * always kept; inside a directory only the files `accept` takes, in sorted name order (and the
 * sub-directories, walked in the same order, when `recursive`). A missing input is a MassivetextError
 * raised before any work starts.
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { MassivetextError } from './errors.js';

export interface ListInputFilesOptions {
  /** Which files inside a directory to keep (given the full path); default all. */
  accept?: (file: string) => boolean;
  /** Walk sub-directories too (default false: only the files directly inside). */
  recursive?: boolean;
  /** Hint of the error for a missing input. */
  hint?: string;
}

export async function listInputFiles(inputs: readonly string[], options: ListInputFilesOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let st;
    try {
      st = await stat(input);
    } catch (e) {
      throw new MassivetextError('unreadable_input', `cannot read ${input}: ${(e as Error).message}`,
        options.hint ?? 'check that the path exists', { file: input }, { cause: e });
    }
    if (st.isDirectory()) await walk(input, options, out);
    else out.push(input);
  }
  return out;
}

async function walk(dir: string, o: ListInputFilesOptions, out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (o.recursive) await walk(p, o, out);
    } else if (e.isFile() && (!o.accept || o.accept(p))) out.push(p);
  }
}
