/**
 * `massivetext extract <file.html | ->`: the main text of one HTML page on stdout. The charset comes from
 * a BOM, `--content-type`, or the page's <meta>, else UTF-8/windows-1252 sniffing (see stages/web/charset.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MassivetextError } from '../../pipeline/errors.js';
import { action, EXIT_OK, writeOut } from '../cli-io.js';

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (e) {
    throw new MassivetextError('unreadable_input', `cannot read ${file}: ${(e as Error).message}`, 'give an HTML file, or - for stdin', { file }, { cause: e });
  }
}

export function register(program: Command): void {
  program
    .command('extract')
    .description('print the main text of one HTML page (boilerplate, navigation, comments and ads removed)')
    .argument('<file>', 'an HTML file, or - for stdin')
    .option('--url <url>', 'the page URL (recorded in --json output)')
    .option('--content-type <value>', 'the HTTP Content-Type, for its charset')
    .option('--json', 'print {"url","title","text"} as one JSON line instead of the text')
    .option('--title', 'print the title as the first line, then a blank line')
    .addHelpText('after', `
Examples:
  $ massivetext extract page.html
  $ curl -s https://example.com/ | massivetext extract - --url https://example.com/
  $ massivetext extract article.html --json | jq .title`)
    .action(action(async (file: string, opts: { url?: string; contentType?: string; json?: boolean; title?: boolean }) => {
      // loaded here, not at start-up: the extractor (cheerio) is the heaviest import of the CLI
      const [{ extractMainText }, { decodeHtml }] = await Promise.all([import('../../stages/extract/index.js'), import('../../stages/web/charset.js')]);
      const bytes = await readInput(file);
      const html = decodeHtml(bytes, opts.contentType).text;
      const r = extractMainText(html, opts.url);
      if (opts.json) await writeOut(JSON.stringify({ url: opts.url ?? null, title: r.title, text: r.text }) + '\n');
      else {
        if (opts.title && r.title) await writeOut(`${r.title}\n\n`);
        if (r.text) await writeOut(r.text + '\n');
      }
      return EXIT_OK;
    }));
}
