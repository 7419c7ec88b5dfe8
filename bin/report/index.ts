/**
 * report.html for `build` and `sample`: self-contained pages (inline CSS and SVG, no script, no
 * network) rendered from report.json or a sample's manifest.json. Pure functions; the caller writes the
 * file atomically next to the JSON it came from.
 */
export { renderReportHtml, type ReportInput } from './render-report.js';
export { renderSampleReportHtml, type SampleManifestInput } from './render-sample-report.js';
export { reportModel, type ReportJson, type ReportModel, type DocSample } from './report-model.js';
export { esc } from './html-escape.js';
export { inspectDir, inspectTokenizer, type Inspection, type BuildInspection, type SampleInspection, type TokensInspection } from './inspect-dir.js';
export { formatInspection } from './format-inspection.js';
