/** MinHash LSH near-duplicate removal: four phases with files between them, and `nearDedup` running all four. */
export { defaultShingleOptions, shingles, wordHashes, type ShingleOptions, type Shingles } from './shingles.js';
export { EMPTY_VALUE, hashKeys, isEmptySignature, signatureOf, signatureSimilarity, textSignature } from './signature.js';
export { bandKeys } from './bands.js';
export { candidateProbability, chooseLshParams, defaultLshRequirement, sCurve, type LshParams, type LshRequirement } from './lsh-params.js';
export { defaultMinhashOptions, numHashes, type MinhashOptions } from './minhash-options.js';
export { computeSignatures, type ComputeSignaturesOptions } from './compute-signatures.js';
export { bucketBands, type BucketBandsOptions } from './bucket-bands.js';
export { clusterDuplicates, NEAR_DUPLICATE, type ClusterDuplicatesOptions } from './cluster-duplicates.js';
export { filterDuplicates, type FilterDuplicatesOptions } from './filter-duplicates.js';
export { nearDedup, type NearDedupOptions, type NearDedupResult } from './near-dedup.js';
