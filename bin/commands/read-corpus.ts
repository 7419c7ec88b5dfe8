/**
 * `massivetext read` kinds for the books, Wikipedia, code and C4 sources: gutenberg, wikipedia, code, c4.
 * read.ts merges `corpusReadKinds` into its table; `corpusReadOptions` lists the extra flags these kinds
 * understand (read.ts adds them to the command so commander accepts them; without them the defaults apply).
 */
import { c4Source } from '../../stages/c4/index.js';
import { gutenbergSource } from '../../stages/books/index.js';
import { codeSource } from '../../stages/code/index.js';
import { wikipediaSource } from '../../stages/wikipedia/index.js';
import { MassivetextError } from '../../pipeline/index.js';
import type { ReadKind } from './read.js';

/** Extra `read` flags: [flags, description]. */
export const corpusReadOptions: readonly (readonly [string, string])[] = [
  ['--languages <list>', 'gutenberg: keep books whose catalog language is in this comma-separated list (e.g. en)'],
  ['--min-year <n>', 'gutenberg: keep books whose year is >= n (see --year-source)'],
  ['--max-year <n>', 'gutenberg: keep books whose year is <= n'],
  ['--year-source <issued|author-death>', 'gutenberg: the year the bounds apply to (default issued: PG release date)'],
  ['--include-title', 'wikipedia: put the page title as the first line of the text'],
  ['--no-dedup', 'code: keep files whose exact content was already seen'],
];

function yearOption(opts: Record<string, unknown>, key: string, flag: string): number | null {
  const v = opts[key];
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new MassivetextError('bad_option', `${flag} must be a year (an integer), got "${String(v)}"`, `e.g. ${flag} 1900`);
  return n;
}

export const corpusReadKinds: Record<string, ReadKind> = {
  gutenberg: {
    describe: 'Project Gutenberg plain texts (.txt, .txt.gz) with PG header/footer stripped; pg<N>.rdf catalog records among the inputs become metadata',
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
    describe: 'MediaWiki XML dumps (.xml, .xml.bz2, .xml.gz), streamed; articles only, redirects/disambiguation skipped',
    open: (inputs, opts) => wikipediaSource(inputs, { includeTitle: Boolean(opts.includeTitle) }),
  },
  code: {
    describe: 'code repositories: a directory, a .tar.gz, a directory of .tar.gz, or a git URL (shallow clone); permissive licences only',
    open: (inputs, opts) => codeSource(inputs, { dedup: opts.dedup !== false }),
  },
  c4: {
    describe: 'C4 JSON lines (plain, .gz, .zst) with url and timestamp',
    open: (inputs) => c4Source(inputs),
  },
};
