/**
 * Expands recipe inputs: paths relative to the recipe, with `*` and `?` allowed in the last path
 * component (sorted matches). URLs pass through. A pattern that matches nothing is a config error.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/index.js';

export function isUrl(s: string): boolean {
  return /^(https?|git|ssh):\/\//.test(s) || s.startsWith('git@');
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${esc}$`);
}

export async function expandInputs(inputs: string[], baseDir: string, where: string): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (isUrl(input)) {
      out.push(input);
      continue;
    }
    const abs = path.resolve(baseDir, input);
    const base = path.basename(abs);
    if (!/[*?]/.test(base)) {
      try {
        await fs.access(abs);
      } catch {
        throw new MassivetextError('missing_input', `${where}: input ${input} does not exist (resolved to ${abs})`, 'paths in a recipe are relative to the recipe file', { file: abs });
      }
      out.push(abs);
      continue;
    }
    const dir = path.dirname(abs);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      throw new MassivetextError('missing_input', `${where}: directory ${dir} of pattern ${input} does not exist`, 'paths in a recipe are relative to the recipe file', { file: dir });
    }
    const re = globToRegExp(base);
    const matches = names.filter((n) => re.test(n)).sort();
    if (!matches.length) throw new MassivetextError('missing_input', `${where}: pattern ${input} matches no file in ${dir}`, 'check the pattern', { file: dir });
    for (const m of matches) out.push(path.join(dir, m));
  }
  return out;
}

/** Resolves `./` and `../` string values of a source's `with` options against the recipe directory. */
export function resolveWithPaths(w: Record<string, unknown> | undefined, baseDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(w ?? {})) {
    if (typeof v === 'string' && (v.startsWith('./') || v.startsWith('../'))) out[k] = path.resolve(baseDir, v);
    else if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' && (x.startsWith('./') || x.startsWith('../')) ? path.resolve(baseDir, x) : x));
    else out[k] = v;
  }
  return out;
}
