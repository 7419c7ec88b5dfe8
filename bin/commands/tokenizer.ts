/**
 * `massivetext tokenizer train|encode`: train a SentencePiece-compatible model (unigram or BPE, our own
 * trainer) and encode text with it, exactly as spm_encode would.
 */
import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { MassivetextError } from '../../pipeline/errors.js';
import type { TrainerOptions } from '../../tokenizer/index.js';
import type { EncodedChunk } from '../../tokenizer/encode-lines.js';
import { action, EXIT_OK, positiveInt, writeOut } from '../cli-io.js';
import { addReporterOptions, reporterFor, type ReporterCliOptions } from '../reporter-options.js';

interface TrainCli extends ReporterCliOptions {
  input: string[];
  vocabSize: number;
  modelType: string;
  threads?: number;
  out: string;
  normalization: string;
  characterCoverage?: string;
  inputSentenceSize?: number;
  seed?: string;
  byteFallback: boolean;
  splitDigits?: boolean;
  userDefinedSymbols?: string;
}

interface EncodeCli {
  model: string;
  input?: string;
  threads?: number;
}

/** Writes bytes to stdout respecting backpressure. */
async function writeBytes(b: Uint8Array): Promise<void> {
  if (!process.stdout.write(b)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
}

const ENCODE_MODULE = new URL('../../tokenizer/encode-lines.js', import.meta.url).href;

export function register(program: Command): void {
  const tk = program.command('tokenizer').description('train a SentencePiece-compatible tokenizer and encode text with it')
    .addHelpText('after', `
Examples:
  $ massivetext tokenizer train --input corpus.txt --vocab-size 32000 --out m   # writes m.model, m.vocab
  $ massivetext tokenizer encode --model m.model --input held-out.txt > ids.txt`);

  const train = tk.command('train')
    .description('train a unigram or BPE model on text files (one sentence per line) and write PREFIX.model + PREFIX.vocab')
    .requiredOption('--input <file...>', 'training text: plain, .gz or .zst; each line is a sentence')
    .requiredOption('--vocab-size <n>', 'number of pieces including special and byte pieces (Gopher: 32000)', positiveInt('--vocab-size'))
    .option('--model-type <type>', 'unigram or bpe', 'unigram')
    .option('--threads <n>', 'worker threads (default: all cores); the model does not depend on it', positiveInt('--threads'))
    .requiredOption('--out <prefix>', 'output prefix: writes <prefix>.model and <prefix>.vocab')
    .option('--normalization <name>', 'nfkc (Gopher; keeps newlines/indentation), nmt_nfkc (spm_train default) or identity (Chinchilla)', 'nfkc')
    .option('--character-coverage <f>', 'share of characters the alphabet must cover (0.98..1)')
    .option('--input-sentence-size <n>', 'sample this many lines (reservoir, seeded); default all', positiveInt('--input-sentence-size'))
    .option('--seed <n>', 'seed of the line sampler')
    .option('--no-byte-fallback', 'map unknown characters to <unk> instead of UTF-8 byte pieces')
    .option('--split-digits', 'make every digit its own piece')
    .option('--user-defined-symbols <list>', 'comma-separated pieces that are always kept whole');
  addReporterOptions(train, { json: 'progress as JSON lines on stderr' })
    .addHelpText('after', `
Prints a JSON summary (vocabulary size, alphabet, lines, seconds) on stdout.
The same input, options and seed give a byte-identical .model whatever --threads is.

Examples:
  $ massivetext tokenizer train --input corpus.txt --vocab-size 32000 --out tok/massivetext
  $ massivetext tokenizer train --input a.txt.zst b.txt --vocab-size 8000 --model-type bpe --threads 2 --out tok/bpe`)
    .action(action(async (opts: TrainCli) => {
      if (opts.modelType !== 'unigram' && opts.modelType !== 'bpe') {
        throw new MassivetextError('bad_tokenizer_option', `--model-type must be unigram or bpe, got "${opts.modelType}"`, 'use --model-type unigram or --model-type bpe');
      }
      const [{ readLines }, { trainTokenizer, writeModel }] = await Promise.all([import('../../pipeline/lines.js'), import('../../tokenizer/index.js')]);
      const reporter = reporterFor(opts);
      const files = opts.input;
      async function* texts(): AsyncGenerator<string> {
        for (const f of files) for await (const l of readLines(f)) yield l.text;
      }
      const options: Partial<TrainerOptions> = {
        vocabSize: opts.vocabSize,
        modelType: opts.modelType,
        normalization: opts.normalization as TrainerOptions['normalization'],
        byteFallback: opts.byteFallback,
      };
      if (opts.threads) options.threads = opts.threads;
      if (opts.characterCoverage !== undefined) options.characterCoverage = Number(opts.characterCoverage);
      if (opts.inputSentenceSize) options.inputSentenceSize = opts.inputSentenceSize;
      if (opts.seed !== undefined) options.seed = Number(opts.seed);
      if (opts.splitDigits) options.splitDigits = true;
      if (opts.userDefinedSymbols) options.userDefinedSymbols = opts.userDefinedSymbols.split(',').filter(Boolean);
      const model = await trainTokenizer(texts(), {
        ...options,
        onProgress: (p) => reporter.progress({ step: `tokenizer train: ${p.phase}`, done: p.pieces ?? 0, unit: 'pieces' }),
      });
      await writeModel(opts.out, model);
      reporter.clearLine();
      await writeOut(JSON.stringify({ model: `${opts.out}.model`, vocab: `${opts.out}.vocab`, vocab_size: model.vocabSize, ...model.stats }) + '\n');
      return EXIT_OK;
    }));

  tk.command('encode')
    .description('encode text to ids: one line of space-separated ids per input line, as spm_encode --output_format=id')
    .requiredOption('--model <file>', 'a .model file written by `tokenizer train` (or any SentencePiece unigram/BPE model)')
    .option('--input <file>', 'text to encode (default: stdin)')
    .option('--threads <n>', 'worker threads (default: 1 for small inputs, all cores for files)', positiveInt('--threads'))
    .addHelpText('after', `
Examples:
  $ massivetext tokenizer encode --model tok/massivetext.model --input held-out.txt > ids.txt
  $ echo "Hello world" | massivetext tokenizer encode --model tok/massivetext.model`)
    .action(action(async (opts: EncodeCli) => {
      const [{ loadModel }, { encodeChunkWith, lineChunks }, { WorkerPool }] = await Promise.all([
        import('../../tokenizer/index.js'), import('../../tokenizer/encode-lines.js'), import('../../pipeline/worker-pool.js'),
      ]);
      const threads = opts.threads ?? (opts.input ? undefined : 1);
      // With workers, each loads the model itself (in parallel); loading it here too would put ~0.7 s of
      // serial work before they start. A bad model file fails in the first worker with the same error.
      const model = threads === 1 ? await loadModel(opts.model) : null;
      const stream = opts.input ? createReadStream(opts.input) : process.stdin;
      stream.on('error', () => {});
      const chunks = lineChunks(stream as AsyncIterable<Uint8Array>);
      const pool = threads === 1 ? null : new WorkerPool(threads ? { size: threads } : {});
      try {
        const results: AsyncIterable<EncodedChunk> = pool
          ? pool.map<Uint8Array, { modelFile: string }, EncodedChunk>(ENCODE_MODULE, 'encodeLineChunk', { modelFile: opts.model }, chunks)
          : (async function* () { for await (const c of chunks) yield encodeChunkWith(model!, c); })();
        let encoded = 0;
        for await (const r of results) {
          await writeBytes(r.text);
          encoded++;
        }
        if (!model && encoded === 0) await loadModel(opts.model); // empty input: still say so if the model is bad
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
          throw new MassivetextError('input_unreadable', `cannot read ${opts.input}: ${(e as Error).message}`, 'check the --input path', { file: opts.input });
        }
        throw e;
      } finally {
        await pool?.close();
      }
      return EXIT_OK;
    }));
}
