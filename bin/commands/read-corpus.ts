/**
 * `massivetext read` kinds for the books, Wikipedia, code and C4 sources: gutenberg, wikipedia, code, c4.
 * read-kinds.ts merges `corpusReadKinds` into its table; `corpusReadOptions` (read-kind-list.ts) lists the extra flags these kinds
 * understand (read.ts adds them to the command so commander accepts them; without them the defaults apply).
 */
import { c4Source } from '../../stages/c4/index.js';
import { gutenbergSource } from '../../stages/books/index.js';
import { codeSource } from '../../stages/code/index.js';
import { wikipediaSource } from '../../stages/wikipedia/index.js';
import { MassivetextError } from '../../pipeline/index.js';
import type { ReadKind } from './read.js';
import { readKindDescriptions } from './read-kind-list.js';

function yearOption(opts: Record<string, unknown>, key: string, flag: string): number | null {
  const v = opts[key];
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new MassivetextError('bad_option', `${flag} must be a year (an integer), got "${String(v)}"`, `e.g. ${flag} 1900`);
  return n;
}

export const corpusReadKinds: Record<string, ReadKind> = {
  gutenberg: {
    describe: readKindDescriptions.gutenberg,
    open: (inputs, opts) => {
      const yearSource = opts.yearSource === undefined ? 'issued' : String(opts.yearSource);
      if (yearSource !== 'issued' && yearSource !== 'author-death') {
        throw new MassivetextError('bad_option', `--year-source must be "issued" or "author-death", got "${yearSource}"`);
      }
      const languages = typeof opts.languages === 'string' ? opts.languages.split(',').map((s) => s.trim()).filter(Boolean) : null;
      return gutenbergSource(inputs, {
        languages,
        minYear: yearOption(opts, 'minYear', '--min-year'),
        maxYear: yearOption(opts, 'maxYear', '--max-year'),
        yearSource,
      });
    },
  },
  wikipedia: {
    describe: readKindDescriptions.wikipedia,
    open: (inputs, opts) => wikipediaSource(inputs, { includeTitle: Boolean(opts.includeTitle) }),
  },
  code: {
    describe: readKindDescriptions.code,
    open: (inputs, opts) => codeSource(inputs, { dedup: opts.dedup !== false }),
  },
  c4: {
    describe: readKindDescriptions.c4,
    open: (inputs) => c4Source(inputs),
  },
};
