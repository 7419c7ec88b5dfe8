/**
 * Strips the Project Gutenberg licence header and footer from a plain-text eBook.
 *
 * Same rule as c-w/gutenberg `gutenberg/cleanup/strip_headers.py` (Apache-2.0; itself a port of Johannes
 * Krugel's strip_headers.cpp): the header ends at the last line (within the first 600 kept lines) that
 * starts with a known start marker; the footer starts at the first line (after 100 kept lines) that starts
 * with a known end marker; "<<THIS ELECTRONIC VERSION OF ... SERVICE THAT CHARGES FOR DOWNLOAD" legalese
 * blocks are removed wherever they appear. The marker lists below are that project's data, verbatim, so
 * the output equals its `tests/data/clean-texts/` on the same input (see gutenberg-strip.test.ts).
 * Lines are joined with "\n" (the original joins with os.linesep); trailing whitespace of the whole text
 * is trimmed.
 */

/** Lines starting with one of these end the header (c-w/gutenberg `_domain_model/text.py` TEXT_START_MARKERS). */
export const GUTENBERG_START_MARKERS: readonly string[] = [
  '*END*THE SMALL PRINT',
  '*** START OF THE PROJECT GUTENBERG',
  '*** START OF THIS PROJECT GUTENBERG',
  'This etext was prepared by',
  'E-text prepared by',
  'Produced by',
  'Distributed Proofreading Team',
  'Proofreading Team at http://www.pgdp.net',
  'http://gallica.bnf.fr)',
  '      http://archive.org/details/',
  'http://www.pgdp.net',
  'by The Internet Archive)',
  'by The Internet Archive/Canadian Libraries',
  'by The Internet Archive/American Libraries',
  'public domain material from the Internet Archive',
  'Internet Archive)',
  'Internet Archive/Canadian Libraries',
  'Internet Archive/American Libraries',
  'material from the Google Print project',
  '*END THE SMALL PRINT',
  '***START OF THE PROJECT GUTENBERG',
  'This etext was produced by',
  '*** START OF THE COPYRIGHTED',
  'The Project Gutenberg',
  'http://gutenberg.spiegel.de/ erreichbar.',
  'Project Runeberg publishes',
  'Beginning of this Project Gutenberg',
  'Project Gutenberg Online Distributed',
  'Gutenberg Online Distributed',
  'the Project Gutenberg Online Distributed',
  'Project Gutenberg TEI',
  'This eBook was prepared by',
  'http://gutenberg2000.de erreichbar.',
  'This Etext was prepared by',
  'This Project Gutenberg Etext was prepared by',
  'Gutenberg Distributed Proofreaders',
  'Project Gutenberg Distributed Proofreaders',
  'the Project Gutenberg Online Distributed Proofreading Team',
  '**The Project Gutenberg',
  '*SMALL PRINT!',
  'More information about this book is at the top of this file.',
  'tells you about restrictions in how the file may be used.',
  "l'authorization à les utilizer pour preparer ce texte.",
  'of the etext through OCR.',
  '*****These eBooks Were Prepared By Thousands of Volunteers!*****',
  'We need your donations more than ever!',
  ' *** START OF THIS PROJECT GUTENBERG',
  '****     SMALL PRINT!',
  '["Small Print" V.',
  '      (http://www.ibiblio.org/gutenberg/',
  'and the Project Gutenberg Online Distributed Proofreading Team',
  'Mary Meehan, and the Project Gutenberg Online Distributed Proofreading',
  '                this Project Gutenberg edition.',
];

/** Lines starting with one of these begin the footer (c-w/gutenberg TEXT_END_MARKERS). */
export const GUTENBERG_END_MARKERS: readonly string[] = [
  '*** END OF THE PROJECT GUTENBERG',
  '*** END OF THIS PROJECT GUTENBERG',
  '***END OF THE PROJECT GUTENBERG',
  'End of the Project Gutenberg',
  'End of The Project Gutenberg',
  'Ende dieses Project Gutenberg',
  'by Project Gutenberg',
  'End of Project Gutenberg',
  'End of this Project Gutenberg',
  'Ende dieses Projekt Gutenberg',
  '        ***END OF THE PROJECT GUTENBERG',
  '*** END OF THE COPYRIGHTED',
  'End of this is COPYRIGHTED',
  'Ende dieses Etextes ',
  'Ende dieses Project Gutenber',
  'Ende diese Project Gutenberg',
  '**This is a COPYRIGHTED Project Gutenberg Etext, Fair Use Applies!!**',
  '**This is a COPYRIGHTED Project Gutenberg Etext, Details Above**',
  'Fin de Project Gutenberg',
  'The Project Gutenberg Etext of ',
  'Ce document fut presente en lecture',
  'Ce document fut présenté en lecture',
  'More information about this book is at the top of this file.',
  'We need your donations more than ever!',
  'END OF PROJECT GUTENBERG',
  ' End of the Project Gutenberg',
  ' *** END OF THIS PROJECT GUTENBERG',
];

export const GUTENBERG_LEGALESE_START_MARKERS: readonly string[] = ['<<THIS ELECTRONIC VERSION OF'];
export const GUTENBERG_LEGALESE_END_MARKERS: readonly string[] = ['SERVICE THAT CHARGES FOR DOWNLOAD'];

export interface GutenbergStripOptions {
  /** Start markers are honoured only within the first N kept lines (c-w/gutenberg: 600). */
  headerSearchLines: number;
  /** End markers are honoured only after N kept lines (c-w/gutenberg: 100). */
  footerMinLines: number;
}

export const defaultGutenbergStripOptions: GutenbergStripOptions = { headerSearchLines: 600, footerMinLines: 100 };

export interface StripResult {
  text: string;
  /** Whether a start marker / end marker was found (a text with neither is probably not a PG eBook). */
  headerFound: boolean;
  footerFound: boolean;
}

function startsWithAny(line: string, markers: readonly string[]): boolean {
  for (const m of markers) if (line.startsWith(m)) return true;
  return false;
}

/**
 * Python's str.splitlines(): splits on \r\n, \n, \r, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029.
 * Kept identical so the line numbering (and hence the 100/600 windows) matches the reference.
 */
export function splitLinesLikePython(text: string): string[] {
  const out = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

export function stripGutenbergHeaders(text: string, options: Partial<GutenbergStripOptions> = {}): StripResult {
  const o = { ...defaultGutenbergStripOptions, ...options };
  const lines = splitLinesLikePython(text);
  let out: string[] = [];
  let kept = 0;
  let headerFound = false;
  let footerFound = false;
  let ignoreSection = false;
  for (const line of lines) {
    if (kept <= o.headerSearchLines && startsWithAny(line, GUTENBERG_START_MARKERS)) {
      // End of the header: drop everything kept so far (may happen several times).
      out = [];
      headerFound = true;
      continue;
    }
    if (kept >= o.footerMinLines && startsWithAny(line, GUTENBERG_END_MARKERS)) {
      footerFound = true;
      break;
    }
    if (startsWithAny(line, GUTENBERG_LEGALESE_START_MARKERS)) {
      ignoreSection = true;
      continue;
    }
    if (startsWithAny(line, GUTENBERG_LEGALESE_END_MARKERS)) {
      ignoreSection = false;
      continue;
    }
    if (!ignoreSection) {
      out.push(line);
      kept++;
    }
  }
  return { text: out.join('\n'), headerFound, footerFound };
}
