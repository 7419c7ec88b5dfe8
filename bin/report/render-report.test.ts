import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReportHtml, renderSampleReportHtml, reportModel } from './index.js';
import { alignHistograms, clusterSizeBins, contiguousEdges } from './render-report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = async (name: string) => JSON.parse(await fs.readFile(path.join(here, 'fixtures', name), 'utf8')) as Record<string, unknown>;

const HOSTILE = `<script>alert(1)</script></svg></pre></details>"'&<img src=x onerror=alert(2)>`;

/** Text outside tags, entity-decoded: what a browser shows. */
function visibleText(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

const TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'div', 'nav', 'a', 'main', 'section', 'p', 'span', 'b', 'i', 'code', 'svg', 'g', 'rect', 'line', 'text', 'table', 'tr', 'th', 'td', 'details', 'summary', 'pre', 'ul', 'li', 'footer']);
const ATTRS = new Set(['lang', 'charset', 'name', 'content', 'http-equiv', 'class', 'href', 'id', 'style', 'title', 'viewBox', 'width', 'height', 'role', 'aria-label', 'xmlns', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'rx', 'fill', 'text-anchor', 'dominant-baseline', 'transform', 'rowspan', 'open']);

/** Every markup-significant payload is escaped: every tag and attribute in the page is one the renderer writes. */
function expectInert(html: string): void {
  const tags = [...html.matchAll(/<([a-zA-Z][^\s/>]*)([^>]*)>/g)];
  expect(tags.length).toBeGreaterThan(10);
  for (const [, tag, attrs] of tags) {
    expect(TAGS.has(tag!.toLowerCase()), `tag <${tag}>`).toBe(true);
    for (const a of attrs!.matchAll(/\s([^\s=]+)(?==")/g)) expect(ATTRS.has(a[1]!), `attribute ${a[1]} on <${tag}>`).toBe(true);
    expect(attrs!.replace(/\s[^\s=]+="[^"]*"/g, '').replace(/\s(open)\b/, '').replace(/\/$/, '').trim(), `stray text in <${tag}${attrs}>`).toBe('');
  }
  expect(html.split('<svg ').length).toBe(html.split('</svg>').length);
  expect(html.split('<pre>').length).toBe(html.split('</pre>').length);
  expect(html.split('<details').length).toBe(html.split('</details>').length);
}

function hostileReport(): Record<string, unknown> {
  const h = HOSTILE;
  return {
    recipe: h,
    steps: { [h]: { units: 1, stats: { [h]: { in: 10, kept: 5, [`dropped:${h}`]: 3, [`error:${h}`]: 2, [`dropped:x${h}`]: 1 } } } },
    subsets: {
      [h]: {
        funnel: [{ step: h, docs: 10, bytes: 100 }, { step: 'tokens', docs: 5, bytes: 50, tokens: 20 }],
        histograms: { [`${h}_before`]: { edges: [1, 2], counts: [3, 4] }, [`${h}_after`]: { edges: [1, 2], counts: [1, 2] } },
        bytes_per_token: 2.5,
        mixture_target: 0.5,
      },
    },
    drops: { [h]: { [h]: 3 } },
    minhash: { [h]: { clusters: 1, duplicates: 1, cluster_sizes: { 2: 1 } } },
    tokenizer: { vocab_size: 100, model_type: h, bytes_per_token: { [h]: 2.5 } },
    samples: { kept: [{ subset: h, id: h, text: h, detail: h }], dropped: { [h]: [{ subset: h, id: h, text: `${h}\u0000` }] } },
  };
}

describe('renderReportHtml', () => {
  it('renders every section of the fixture build report with charts and no empty notes', async () => {
    const html = renderReportHtml(await fixture('report.json'));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    for (const id of ['funnel', 'drops', 'histograms', 'minhash', 'mixture', 'tokenizer', 'steps', 'samples']) expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toContain('class="empty"');
    expect(html.split('<svg ').length - 1).toBeGreaterThanOrEqual(40);
    // Facts a reader looks for: the web funnel's read count, a drop reason, the vocabulary, a bytes/token figure.
    const text = visibleText(html);
    expect(text).toContain('2,400 docs');
    expect(text).toContain('too-few-words');
    expect(text).toContain('8,000');
    expect(text).toContain('4.12 bytes/token');
    expect(text).toContain('(target 48%)');
  });

  it('is self-contained: no script, no external URL, a CSP that forbids both', async () => {
    const html = renderReportHtml(await fixture('report.json'));
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    const urls = html.match(/https?:\/\/[^\s"'<)&]+/g) ?? [];
    // Only the SVG namespace and the URLs that are corpus text (document ids of the samples).
    const outsideText = urls.filter((u) => u !== 'http://www.w3.org/2000/svg' && !visibleText(html).includes(u));
    expect(outsideText).toEqual([]);
  });

  it('escapes hostile text in every field: recipe, steps, stages, reasons, subsets, histograms, samples', () => {
    const html = renderReportHtml(hostileReport());
    expectInert(html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;/svg&gt;&lt;/pre&gt;&lt;/details&gt;&quot;&#39;&amp;&lt;img');
    expect(html).not.toContain('\u0000');
    // The payload is still shown, as text, where it appears.
    expect(visibleText(html)).toContain(HOSTILE);
  });

  it('counts documents a reader dropped before the funnel\'s first count (the bundled build\'s wikipedia redirects)', async () => {
    const text = visibleText(renderReportHtml(await fixture('bundled-report.json')));
    // wikipedia: 34 documents after reading, 72 redirects + 2 disambiguation pages dropped by the reader.
    expect(text).toContain('74 dropped of 108 seen');
    expect(text).toContain('redirect72 (66.7%)');
    expect(text).toContain('74 more document(s) were dropped while reading');
    const shares = [...text.matchAll(/\((\d+(?:\.\d+)?)%\)/g)].map((x) => Number(x[1]));
    expect(shares.length).toBeGreaterThan(5);
    expect(Math.max(...shares)).toBeLessThanOrEqual(100); // no share above 100%
  });

  it('is deterministic: the same report renders to the same bytes', async () => {
    const r = await fixture('report.json');
    expect(renderReportHtml(r)).toBe(renderReportHtml(structuredClone(r)));
  });

  it('renders what the current report step writes (recipe and steps only), with notes for the rest', () => {
    const html = renderReportHtml({ recipe: 't', steps: { ingest: { units: 3, stats: { 'read-c4': { bytes_in: 53354, bytes_out: 53354, in: 30, kept: 30 } } } } });
    expect(html).toContain('<code>read-c4</code>');
    expect(html.match(/class="empty"/g)).toHaveLength(7);
    expect(visibleText(html)).toContain('No per-subset funnel in this report yet');
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'report'],
    ['steps of the wrong type', { steps: 5, subsets: [], drops: 'x' }],
    ['a funnel that is not a list', { subsets: { web: { funnel: 'x', histograms: 3 } } }],
    ['histograms with mismatched lengths', { subsets: { web: { funnel: [], histograms: { a: { edges: [1, 2, 3, 4], counts: [1] }, b: { edges: ['x'], counts: [1] } } } } }],
    ['non-finite numbers', { subsets: { web: { funnel: [{ step: 'read', docs: null, bytes: 'x' }], tokens: Infinity } }, tokenizer: { vocab_size: 'big' } }],
    ['samples of the wrong shape', { samples: { kept: [1, null, { text: 5 }], dropped: { r: 'x', q: [{}] } } }],
    ['MinHash sizes that are not numbers', { minhash: { web: { cluster_sizes: { big: 3, 2: 'x' } } } }],
  ])('never throws on %s', (_name, input) => {
    const html = renderReportHtml(input as never);
    expect(html).toContain('</html>');
    expectInert(html);
  });
});

describe('reportModel', () => {
  it('orders subsets as the paper does and fills tokens and targets from fallbacks', () => {
    const m = reportModel({
      mixture: { web: 0.48, zzz: 0.1 },
      subsets: { zzz: { funnel: [] }, wikipedia: { funnel: [] }, web: { funnel: [{ step: 'read', docs: 2 }, { step: 'tokens', docs: 2, tokens: 9 }] }, aaa: { funnel: [] } },
    });
    expect(m.subsets.map((s) => s.name)).toEqual(['web', 'wikipedia', 'aaa', 'zzz']);
    expect(m.subsets[0]!.tokens).toBe(9);
    expect(m.subsets[0]!.mixtureTarget).toBe(0.48);
    expect(m.subsets[3]!.mixtureTarget).toBe(0.1);
  });

  it('accepts histograms given as bin boundaries (one more edge than counts)', () => {
    const m = reportModel({ subsets: { web: { histograms: { h: { edges: [0, 1, 2], counts: [5, 6] } } } } });
    expect(m.subsets[0]!.histograms.h).toEqual({ edges: [0, 1], counts: [5, 6] });
  });

  it('sorts drop reasons by count and skips zero counts', () => {
    const m = reportModel({ drops: { web: { b: 2, a: 2, c: 9, z: 0 } } });
    expect(m.drops).toEqual([{ subset: 'web', reasons: [['c', 9], ['a', 2], ['b', 2]] }]);
  });
});

describe('histogram and cluster bins', () => {
  it('fills the gaps of log2 word-count bins and of 0.5-wide word-length bins', () => {
    expect(contiguousEdges([16, 4, 64])).toEqual([4, 8, 16, 32, 64]);
    expect(contiguousEdges([0, 2, 8])).toEqual([0, 2, 4, 8]);
    expect(contiguousEdges([3, 4.5, 3.5])).toEqual([3, 3.5, 4, 4.5]);
    expect(contiguousEdges([1, 2.7, 3])).toEqual([1, 2.7, 3]); // no common step: left as is
  });

  it('aligns before and after histograms on the union of their bins', () => {
    expect(alignHistograms({ edges: [2, 8], counts: [5, 1] }, { edges: [4], counts: [3] })).toEqual({ edges: [2, 4, 8], a: [5, 0, 1], b: [0, 3, 0] });
  });

  it('shows cluster sizes exactly when few, in power-of-two buckets when many', () => {
    expect(clusterSizeBins([[2, 5], [3, 1]])).toEqual([{ label: '2', count: 5 }, { label: '3', count: 1 }]);
    const many = Array.from({ length: 20 }, (_, i) => [i + 2, 1] as [number, number]);
    expect(clusterSizeBins(many)).toEqual([
      { label: '2', count: 1 }, { label: '3-4', count: 2 }, { label: '5-8', count: 4 }, { label: '9-16', count: 8 }, { label: '17-32', count: 5 },
    ]);
  });
});

describe('renderSampleReportHtml', () => {
  it('renders the tokens, weights, epochs and files of a real sample manifest', async () => {
    const html = renderSampleReportHtml(await fixture('sample-manifest.json'));
    const text = visibleText(html);
    expect(text).toContain('87.2k');
    expect(text).toContain('0.284 epochs (8 of 10 docs)');
    expect(text).toContain('no tokens for github');
    expect(text).toContain('14 file(s)');
    expect(html).not.toContain('class="empty"');
    expectInert(html);
  });

  it('escapes notes and file names and survives odd shapes', () => {
    const html = renderSampleReportHtml({ weights: { notes: [HOSTILE], used: { web: 'x' } }, files: [{ path: HOSTILE, bytes: 'x' }, 3], subsets: { web: { tokens: 5 } }, tokens: 5 });
    expectInert(html);
    expect(visibleText(html)).toContain(HOSTILE);
    expect(renderSampleReportHtml({})).toContain('</html>');
  });
});
