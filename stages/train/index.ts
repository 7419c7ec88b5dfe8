/** The training plan (blend, shuffle, packing, ranks) written as .npy files for an attached trainer. */
export * from './random.js';
export * from './shuffle.js';
export * from './blend.js';
export * from './npy.js';
export * from './plan.js';
export * from './walk-subset.js';
export * from './plan-input.js';
export * from './plan-reader.js';
export * from './rank.js';
export * from './supervisor.js';
