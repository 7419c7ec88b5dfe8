/** The filters' public surface: pure rules (doc) -> keep | drop(reason), the registry and the batch entry point. */
export { applyFilters, cachedFilters, checkAll } from './apply-filters.js';
export { documentStats, type DocumentStats } from './document-stats.js';
export { defaultEnglishOptions, englishFilter, englishScore, ENGLISH_REASONS, type EnglishOptions, type EnglishScore } from './english.js';
export {
  defaultGopherQualityOptions, GOPHER_BULLETS, GOPHER_QUALITY_REASONS, GOPHER_STOP_WORDS, gopherQualityFilter, gopherQualityMetrics,
  type GopherQualityMetrics, type GopherQualityOptions,
} from './gopher-quality.js';
export {
  defaultGopherRepetitionOptions, GOPHER_REPETITION_REASONS, gopherRepetitionFilter, gopherRepetitionMetrics,
  type GopherRepetitionMetrics, type GopherRepetitionOptions,
} from './gopher-repetition.js';
export {
  buildFilters, defaultFilterSpecs, FILTER_FACTORIES, FILTER_NAMES, validateFilterOptions,
  type FilterEntry, type FilterRegistry, type FilterSpec,
} from './registry.js';
export {
  BUNDLED_BLOCKED_DOMAINS, BUNDLED_EXPLICIT_TERMS, BUNDLED_URL_TERMS, defaultSafetyOptions, readBlocklists, safetyFilter, SAFETY_REASONS,
  type Blocklist, type SafetyOptions,
} from './safety.js';
