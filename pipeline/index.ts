/** The engine's public surface. Imports only node:* and the required packages. */
export * from './document.js';
export * from './errors.js';
export * from './stage.js';
export * from './stats.js';
export * from './atomic-file.js';
export * from './lines.js';
export * from './document-parts.js';
export * from './worker-pool.js';
