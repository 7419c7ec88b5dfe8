/** The engine's public surface. Imports only node:* and the required packages. */
export * from './document.js';
export * from './errors.js';
export * from './stage.js';
export * from './stats.js';
export * from './atomic-file.js';
export * from './lines.js';
export * from './gzip-members.js';
export * from './document-parts.js';
export * from './worker-pool.js';
export * from './run-pipeline.js';
export * from './batch-stage.js';
export * from './fingerprint.js';
export * from './step.js';
export * from './manifest.js';
export * from './local-executor.js';
export * from './token-shards.js';
export * from './token-shard-llmc.js';
