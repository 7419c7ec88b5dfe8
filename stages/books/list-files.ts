/**
 * Expands input paths (files or directories, walked recursively in sorted order) into a sorted file list.
 * Sorted so that the document order, and hence the output bytes, do not depend on readdir order.
 * A missing input is a MassivetextError raised before any work starts.
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/index.js';

export async function listInputFiles(inputs: readonly string[], accept: (file: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let st;
    try {
      st = await stat(input);
    } catch (e) {
      throw new MassivetextError('unreadable_input', `cannot read ${input}: ${(e as Error).message}`,
        'check that the path exists', { file: input }, { cause: e });
    }
    if (st.isDirectory()) await walk(input, accept, out);
    else out.push(input);
  }
  return out;
}

async function walk(dir: string, accept: (file: string) => boolean, out: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, accept, out);
    else if (e.isFile() && accept(p)) out.push(p);
  }
}
