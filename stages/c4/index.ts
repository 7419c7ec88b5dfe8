/** C4: JSON lines (plain, .gz, .zst) as released, url and timestamp kept. */
export { c4Source, defaultC4SourceOptions, type C4SourceOptions, c4Meta } from './c4-source.js';
