/**
 * report.html in a real browser: Debian's chromium, headless, driven over the DevTools protocol. The
 * build report of the committed fixture (and the sample report, and an empty report) must load without
 * a console error, exception or CSP violation, draw every chart with visible marks, keep hostile corpus
 * text inert, and give a screenshot that shows the charts in the subset colours.
 * Skips only where chromium is absent and CI is not set (CI installs it).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml, renderSampleReportHtml } from '../../bin/report/index.js';
import { Browser, chromiumAvailable, decodePng, type Page, pngSize } from './chromium.js';
import { repoRoot } from '../helpers/corpora.js';

const skip = !chromiumAvailable() && !process.env.CI;
const fixtures = path.join(repoRoot, 'bin', 'report', 'fixtures');

interface ChartInfo {
  cls: string;
  width: number;
  height: number;
  marks: number;
  visibleMarks: number;
}

interface PageFacts {
  charts: ChartInfo[];
  scripts: number;
  handlers: number;
  overflowX: number;
  title: string;
  preTexts: string[];
  ids: string[];
  sections: string[];
  empties: number;
}

const FACTS = `(() => {
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
    const r = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('rect.bar, rect.bar2, rect.front, rect.back, rect.seg, rect.target, path')];
    const visible = marks.filter((m) => { const b = m.getBBox(); return b.width > 0.5 && b.height > 0.5; });
    return { cls: svg.getAttribute('class'), width: r.width, height: r.height, marks: marks.length, visibleMarks: visible.length };
  });
  const handlers = [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length;
  return {
    charts,
    scripts: document.querySelectorAll('script, iframe, object, embed, img').length,
    handlers,
    overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    title: document.title,
    preTexts: [...document.querySelectorAll('details.doc pre')].map((p) => p.textContent),
    ids: [...document.querySelectorAll('details.doc .id')].map((p) => p.textContent),
    sections: [...document.querySelectorAll('main > section')].map((s) => s.id),
    empties: document.querySelectorAll('p.empty').length,
  };
})()`;

function hex(c: string): [number, number, number] {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}

describe.skipIf(skip)('report.html in headless chromium', () => {
  let browser: Browser;
  let dir: string;
  const open = async (name: string, html: string): Promise<{ page: Page; facts: PageFacts }> => {
    const file = path.join(dir, name);
    await fs.writeFile(file, html);
    const page = await browser.newPage(1280, 2000);
    await page.goto(pathToFileURL(file).href);
    return { page, facts: await page.evaluate<PageFacts>(FACTS) };
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-report-'));
    browser = await Browser.launch('1280,2000');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('draws every chart of the build report, keeps hostile text inert, logs no error, and screenshots the charts', async () => {
    const report = JSON.parse(await fs.readFile(path.join(fixtures, 'report.json'), 'utf8'));
    const html = renderReportHtml(report);
    const { page, facts } = await open('report.html', html);

    expect(page.problems).toEqual([]);
    expect(facts.title).toBe('massivetext build report');
    expect(facts.sections).toEqual(['funnel', 'drops', 'histograms', 'minhash', 'mixture', 'tokenizer', 'steps', 'samples']);
    expect(facts.empties).toBe(0);
    // As many rendered <svg> as the markup has: no corpus text closed or opened one.
    expect(facts.charts.length).toBe(html.split('<svg ').length - 1);
    const byKind = (k: string) => facts.charts.filter((c) => c.cls.split(' ').includes(k));
    expect(byKind('funnel')).toHaveLength(6);
    expect(byKind('hist').length).toBe(12 + 6 - 1); // 6 subsets x 2 histograms + MinHash sizes for 5 (books has none)
    expect(byKind('bullet')).toHaveLength(1);
    expect(byKind('stack')).toHaveLength(1);
    expect(byKind('bars').length).toBeGreaterThanOrEqual(6 + 1 + 4);
    for (const c of facts.charts) {
      expect(c.width, c.cls).toBeGreaterThan(50);
      expect(c.height, c.cls).toBeGreaterThan(20);
      expect(c.visibleMarks, c.cls).toBeGreaterThan(0);
    }
    expect(facts.overflowX).toBeLessThanOrEqual(0);

    // Hostile samples show as text, and nothing executable made it into the DOM.
    expect(facts.scripts).toBe(0);
    expect(facts.handlers).toBe(0);
    expect(facts.preTexts).toContain('<script>alert(1)</script>');
    expect(facts.preTexts.some((t) => t.includes('</svg></g><text>pwned</text><svg onload=alert(3)>'))).toBe(true);
    expect(facts.ids).toContain('news:hostile-<b>bold</b>"id"');

    const png = await page.screenshot();
    await fs.writeFile(path.join(dir, 'report.png'), png);
    if (process.env.REPORT_SCREENSHOT_DIR) await fs.copyFile(path.join(dir, 'report.png'), path.join(process.env.REPORT_SCREENSHOT_DIR, 'report.png'));
    expect(pngSize(png)).toEqual({ width: 1280, height: 2000 });
    expect(png.length).toBeGreaterThan(50_000);
    const { rgba } = decodePng(png);
    let inked = 0;
    const seen = new Map<string, number>();
    const colours = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];
    const targets = colours.map(hex);
    for (let i = 0; i < rgba.length; i += 4) {
      const [r, g, b] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
      if (r < 240 || g < 240 || b < 240) inked++;
      targets.forEach((t, k) => {
        if (Math.abs(t[0] - r) <= 3 && Math.abs(t[1] - g) <= 3 && Math.abs(t[2] - b) <= 3) seen.set(colours[k]!, (seen.get(colours[k]!) ?? 0) + 1);
      });
    }
    expect(inked / (rgba.length / 4)).toBeGreaterThan(0.05);
    // Every subset's funnel bars are on the first screen, in its colour.
    for (const c of colours) expect(seen.get(c) ?? 0, c).toBeGreaterThan(500);
  });

  it('draws the report of a real build of the bundled sample (fixtures/bundled-report.json)', async () => {
    const report = JSON.parse(await fs.readFile(path.join(fixtures, 'bundled-report.json'), 'utf8'));
    const { page, facts } = await open('bundled.html', renderReportHtml(report));
    expect(page.problems).toEqual([]);
    expect(facts.sections).toEqual(['funnel', 'drops', 'histograms', 'minhash', 'mixture', 'tokenizer', 'steps', 'samples']);
    expect(facts.empties).toBe(0);
    const subsets = Object.keys(report.subsets).length;
    expect(facts.charts.filter((c) => c.cls.includes('funnel'))).toHaveLength(subsets);
    expect(facts.charts.filter((c) => c.cls.includes('hist')).length).toBeGreaterThanOrEqual(2 * subsets);
    for (const c of facts.charts) expect(c.visibleMarks, c.cls).toBeGreaterThan(0);
    expect(facts.overflowX).toBeLessThanOrEqual(0);
    expect(facts.preTexts.length).toBe(report.samples.kept.length + Object.values(report.samples.dropped as Record<string, unknown[]>).flat().length);
    const png = await page.screenshot(true);
    if (process.env.REPORT_SCREENSHOT_DIR) await fs.writeFile(path.join(process.env.REPORT_SCREENSHOT_DIR, 'bundled.png'), png);
    expect(pngSize(png).height).toBeGreaterThan(3000);
  });

  it('draws the sample report from a real sample manifest', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(fixtures, 'sample-manifest.json'), 'utf8'));
    const html = renderSampleReportHtml(manifest);
    const { page, facts } = await open('sample.html', html);
    expect(page.problems).toEqual([]);
    expect(facts.sections).toEqual(['mixture', 'epochs', 'subsets', 'files']);
    expect(facts.charts.length).toBe(3);
    for (const c of facts.charts) expect(c.visibleMarks, c.cls).toBeGreaterThan(0);
    expect(facts.overflowX).toBeLessThanOrEqual(0);
    const png = await page.screenshot();
    if (process.env.REPORT_SCREENSHOT_DIR) await fs.writeFile(path.join(process.env.REPORT_SCREENSHOT_DIR, 'sample.png'), png);
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('renders a report with no sections yet as notes, without errors', async () => {
    const { page, facts } = await open('empty.html', renderReportHtml({ recipe: 'empty', steps: {} }));
    expect(page.problems).toEqual([]);
    expect(facts.charts).toEqual([]);
    expect(facts.empties).toBe(8);
  });
});
