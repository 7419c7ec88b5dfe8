/** Test-set decontamination by word 13-gram similarity, and Wikipedia eval-article removal by title. */
export {
  buildTestIndex, ContaminationScratch, contaminationOf, decontaminate, decontaminationVerdict, defaultDecontaminateOptions,
  normaliseTitle, readTitles, type Contamination, type ContaminatedRecord, type DecontaminateArgs, type DecontaminateOptions, type TestIndex,
} from './decontaminate.js';
export { readTestSet, testSetSpec, TEXT_FIELDS, type PlainSplit, type TestSetSpec } from './test-sets.js';
