/** Main-text extraction from HTML pages, as a function (worker-safe) and as a pipeline stage. */
export { extractMainText, htmlToText, extractTitle, defaultExtractOptions, type ExtractOptions, type Extracted } from './extract-main-text.js';
export { renderText } from './render-text.js';
export { extractStage, extractWorkerModule, defaultExtractStageOptions, type ExtractStageOptions } from './extract-stage.js';
export { extractDocument, extractDocuments } from './extract-worker.js';
export { scoreExtraction, tokenF1, fixturePages, type ExtractionScore, type FixturePage } from './extraction-score.js';
