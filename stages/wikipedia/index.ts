/** Wikipedia: streaming MediaWiki XML dumps (.xml, .bz2, .gz) -> plain-text articles. */
export { wikipediaSource, defaultWikipediaSourceOptions, type WikipediaSourceOptions, isDisambiguation, isRedirect } from './wikipedia-source.js';
export { wikitextToText, defaultWikitextOptions, type WikitextOptions } from './wikitext-to-text.js';
export { readDumpPages, type DumpPage, type SiteInfo } from './dump-pages.js';
export { openDump, dumpCompressionOf } from './dump-stream.js';
