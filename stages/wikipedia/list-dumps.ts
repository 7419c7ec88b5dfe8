/**
 * Expands inputs (dump files or directories of dumps) into a sorted list of `.xml`, `.xml.bz2`, `.xml.gz`
 * (and `.bz2` parts as Wikimedia names them, e.g. `...pages-articles1.xml-p1p41242.bz2`).
 * A missing input is a MassivetextError before any work starts.
 */
import { listInputFiles } from '../../pipeline/list-input-files.js';

const DUMP_RE = /\.xml(?:[-.][^/]*)?$|\.(?:bz2|gz)$/i;

export async function listDumpFiles(inputs: readonly string[]): Promise<string[]> {
  return listInputFiles(inputs, { accept: (f) => DUMP_RE.test(f), hint: 'check that the dump path exists' });
}
