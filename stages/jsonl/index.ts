export * from './jsonl-source.js';
