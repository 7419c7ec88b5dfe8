import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { corporaDir } from '../../tests/helpers/corpora.js';
import { decodeHtml } from '../web/index.js';
import { type DomNode, parseHtml, textOf } from './dom.js';
import { limitNesting } from './limit-nesting.js';

const dir = path.join(corporaDir, 'html', 'trafilatura');
const pages = readdirSync(dir).filter((f) => f.endsWith('.html')).map((f) => decodeHtml(readFileSync(path.join(dir, f))).text);

/** The tree as nested [type, name, attributes, data, children] (no parent links). */
function shape(n: DomNode): unknown {
  return [n.type, n.name ?? null, n.attribs ?? null, n.data ?? null, (n.children ?? []).map(shape)];
}

describe('parseHtml', () => {
  it('htmlparser2 through cheerio/slim gives the very tree of cheerio\'s full load with the same options', () => {
    expect(pages.length).toBeGreaterThan(5);
    for (const html of pages) {
      const full = load(limitNesting(html).html, { xml: { xmlMode: false, decodeEntities: true } }).root()[0] as unknown as DomNode;
      expect(shape(parseHtml(html))).toEqual(shape(full));
    }
  });

  it('parse5 (loaded on first use) builds a standard document: html > head + body', () => {
    const root = parseHtml(pages[0]!, 'parse5');
    const html = root.children!.find((c) => c.name === 'html')!;
    expect(html.children!.filter((c) => c.type === 'tag').map((c) => c.name)).toEqual(['head', 'body']);
    expect(textOf(html).length).toBeGreaterThan(100);
  });
});
