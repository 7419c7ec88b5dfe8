/** Worker-pool entry for wikitext conversion (side-effect free): a batch of pages' wikitext -> plain texts. */
import { type WikitextOptions, wikitextToText } from './wikitext-to-text.js';

export interface WikitextBatch {
  texts: string[];
  /** Localized File/Category/Media namespace names (lower-case). */
  hidden: string[];
}

export function convertWikitextBatch(input: WikitextBatch, options: { wikitext: Partial<WikitextOptions> }): string[] {
  const hiddenNamespaces = new Set(input.hidden);
  return input.texts.map((t) => wikitextToText(t, options.wikitext, { hiddenNamespaces }));
}
