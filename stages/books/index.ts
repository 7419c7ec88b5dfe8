/** Books: Project Gutenberg plain texts (header/footer stripped) with RDF catalog metadata. */
export { gutenbergSource, defaultGutenbergSourceOptions, type GutenbergSourceOptions, ebookNumberOf, catalogVerdict, yearOf } from './gutenberg-source.js';
export { stripGutenbergHeaders, defaultGutenbergStripOptions, type GutenbergStripOptions } from './gutenberg-strip.js';
export { parseGutenbergRdf, type GutenbergRecord, type GutenbergAuthor } from './gutenberg-rdf.js';
