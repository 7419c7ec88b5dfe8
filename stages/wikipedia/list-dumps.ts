/**
 * Expands inputs (dump files or directories of dumps) into a sorted list of `.xml`, `.xml.bz2`, `.xml.gz`
 * (and `.bz2` parts as Wikimedia names them, e.g. `...pages-articles1.xml-p1p41242.bz2`).
 * A missing input is a MassivetextError before any work starts.
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/index.js';

const DUMP_RE = /\.xml(?:[-.][^/]*)?$|\.(?:bz2|gz)$/i;

export async function listDumpFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let st;
    try {
      st = await stat(input);
    } catch (e) {
      throw new MassivetextError('unreadable_input', `cannot read ${input}: ${(e as Error).message}`,
        'check that the dump path exists', { file: input }, { cause: e });
    }
    if (!st.isDirectory()) {
      out.push(input);
      continue;
    }
    const names = (await readdir(input, { withFileTypes: true }))
      .filter((e) => e.isFile() && DUMP_RE.test(e.name)).map((e) => e.name).sort();
    for (const n of names) out.push(path.join(input, n));
  }
  return out;
}
