/** Token-exact mixture sampling (`massivetext sample`). */
export { sampleTokens, defaultSampleOptions, type SampleOptions, type SampleManifest, type SampleFile, type SampleFormat, type SampleSubsetSummary } from './sample-tokens.js';
export { describeSample, describeSampleManifest, type SampleDescription } from './describe-sample.js';
export { gopherWeights, parseWeights, resolveWeights, type SampleWeights, type WeightResolution } from './sample-weights.js';
export { allocateTokens, planSubsetDraw, documentOrder, epochPermutation, type SubsetDraw } from './sample-plan.js';
export { Xoshiro128, seededPermutation } from './seeded-shuffle.js';
