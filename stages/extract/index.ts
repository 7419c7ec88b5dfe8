/** Main-text extraction from HTML pages, as a function (worker-safe) and as a pipeline stage. */
export { extractMainText, htmlToText, extractTitle, defaultExtractOptions, type ExtractOptions, type Extracted } from './extract-main-text.js';
export { renderText } from './render-text.js';
export { scoreExtraction, tokenF1, fixturePages, type ExtractionScore, type FixturePage } from './extraction-score.js';
