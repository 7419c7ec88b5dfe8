/**
 * The page shell shared by the build and sample reports: one self-contained HTML document with inline
 * CSS and a Content-Security-Policy that allows no script, no network and no external fonts, so a
 * report can be opened from disk, mailed or archived and always looks the same.
 */
import { esc } from './html-escape.js';

/** One section of the page; `body` is HTML the caller has already escaped. */
export interface PageSection {
  id: string;
  title: string;
  /** One or two sentences on how to read the section. */
  lead?: string;
  body: string;
}

export interface PageOptions {
  title: string;
  /** Already-escaped HTML under the title (e.g. recipe name, directory). */
  subtitle: string;
  tiles: { label: string; value: string; note?: string }[];
  sections: PageSection[];
}

/** Colours of the six subsets (Okabe-Ito palette, distinguishable with the common colour-vision deficiencies). */
const SUBSET_COLORS: Record<string, string> = {
  web: '#0072B2',
  books: '#E69F00',
  c4: '#009E73',
  news: '#CC79A7',
  github: '#56B4E9',
  wikipedia: '#D55E00',
};
const OTHER_COLORS = ['#8C6D31', '#6B6ECF', '#637939', '#BD9E39', '#AD494A', '#7B4173'];

/** A stable colour per subset name. */
export function subsetColor(name: string): string {
  const c = SUBSET_COLORS[name];
  if (c) return c;
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return OTHER_COLORS[h % OTHER_COLORS.length]!;
}

/** Colour of the "before filtering" series in the histograms. */
export const BEFORE_COLOR = '#B8BFCC';
/** Colour for drop reasons and other counts not tied to one subset. */
export const NEUTRAL_COLOR = '#5B6B86';
/** Colour for errors. */
export const ERROR_COLOR = '#C0392B';

/** A legend line: coloured swatches with labels. */
export function legend(items: { label: string; color: string; kind?: 'box' | 'tick' | 'thin' }[]): string {
  return `<div class="legend">${items.map((i) => `<span><i class="${i.kind ?? 'box'}" style="background:${esc(i.color)}"></i>${esc(i.label)}</span>`).join('')}</div>`;
}

/** A note shown where a section has no data yet. */
export function emptyNote(text: string): string {
  return `<p class="empty">${esc(text)}</p>`;
}

const CSS = `
:root{--fg:#1c2230;--muted:#5d6678;--faint:#8a93a5;--line:#e2e6ed;--bg:#ffffff;--panel:#f6f7f9;--track:#eceff4;--accent:#0072B2;--bad:#C0392B;--bar2:#6b7587;--target:#1c2230;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#a6aec0;--faint:#7d8699;--line:#2c3240;--bg:#14171d;--panel:#1b1f27;--track:#262b36;--bar2:#8c96a9;--target:#f2f4f8}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
body{margin:0}
header{padding:28px 32px 18px;border-bottom:1px solid var(--line)}
header h1{margin:0;font-size:22px;font-weight:650;letter-spacing:-.01em}
header .sub{margin-top:4px;color:var(--muted)}
nav{margin-top:14px;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}
nav a{color:var(--muted);text-decoration:none;border-bottom:1px dotted var(--faint)}
nav a:hover{color:var(--fg)}
main{max-width:1240px;margin:0 auto;padding:8px 32px 40px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin:20px 0 8px}
.tile{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.tile .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.tile .v{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.tile .n{font-size:12px;color:var(--muted)}
section{margin-top:34px}
section>h2{font-size:17px;font-weight:650;margin:0 0 4px;padding-bottom:6px;border-bottom:1px solid var(--line)}
section>p.lead{margin:6px 0 14px;color:var(--muted);max-width:80ch}
h3{font-size:14px;font-weight:650;margin:0 0 6px;display:flex;align-items:center;gap:8px}
h3 .dot{width:10px;height:10px;border-radius:50%;display:inline-block}
h3 .aside{font-weight:400;color:var(--muted);font-size:12.5px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
.cards.narrow{grid-template-columns:repeat(auto-fill,minmax(360px,1fr))}
.cards.wide{grid-template-columns:1fr}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px 10px;background:var(--bg);min-width:0}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:10px 24px}
.pair>div{min-width:0}
.pair .cap{font-size:12px;color:var(--muted);margin:0 0 2px 4px}
svg.chart{display:block;max-width:100%;height:auto;overflow:visible}
svg.chart text{fill:var(--fg);font-size:12px;font-family:inherit}
svg.chart .tick{fill:var(--muted);font-size:10px}
svg.chart text.group{font-size:11.5px;font-weight:600;fill:var(--muted);letter-spacing:.02em}
svg.chart .axis-title{fill:var(--muted);font-size:11px}
svg.chart .pct{fill:var(--muted);font-variant-numeric:tabular-nums}
svg.chart .val{fill:var(--muted);font-variant-numeric:tabular-nums}
svg.chart .track{fill:var(--track)}
svg.chart .bar2{fill:var(--bar2)}
svg.chart .grid{stroke:var(--line);stroke-width:1}
svg.chart .axis{stroke:var(--faint);stroke-width:1}
svg.chart .target{fill:var(--target)}
svg.chart .seg{stroke:var(--bg);stroke-width:1}
svg.chart text.seg-lbl{fill:#fff;font-size:11px;font-weight:600}
svg.chart .row:hover .bar,svg.chart rect.front:hover,svg.chart rect.back:hover{opacity:.8}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:var(--muted);margin:2px 0 8px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px}
.legend i.thin{height:4px}
.legend i.tick{width:3px;height:14px;border-radius:0}
table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
td.bad{color:var(--bad);font-weight:600}
tr.step-first td{border-top:2px solid var(--line)}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
.table-wrap table tr:last-child td{border-bottom:none}
.muted{color:var(--muted)}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
p.empty{color:var(--muted);background:var(--panel);border:1px dashed var(--line);border-radius:8px;padding:10px 14px;margin:8px 0}
.facts{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px;color:var(--muted);margin:0 0 6px}
.facts b{color:var(--fg);font-weight:600;font-variant-numeric:tabular-nums}
.docs{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:10px;align-items:start}
details.doc{border:1px solid var(--line);border-radius:8px;background:var(--panel);min-width:0}
details.doc>summary{cursor:pointer;padding:7px 12px;font-size:13px;display:flex;gap:8px;align-items:baseline;list-style:none;overflow:hidden}
details.doc>summary::-webkit-details-marker{display:none}
details.doc>summary::before{content:"\\25B8";color:var(--faint)}
details.doc[open]>summary::before{content:"\\25BE"}
details.doc .id{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;min-width:0;flex:1}
details.doc pre{margin:0;padding:10px 12px;border-top:1px solid var(--line);white-space:pre-wrap;overflow-wrap:anywhere;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;max-height:320px;overflow:auto;background:var(--bg);border-radius:0 0 8px 8px}
details.doc .detail{padding:6px 12px 0;font-size:12px;color:var(--muted)}
.tag{display:inline-block;padding:0 7px;border-radius:9px;font-size:11.5px;font-weight:600;color:#fff;white-space:nowrap}
.reason{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--track);padding:1px 6px;border-radius:4px}
h4{font-size:13px;margin:16px 0 8px;font-weight:600}
p.small{font-size:12px;margin:6px 0 0}
details.doc.table>.table-wrap{border:none;border-top:1px solid var(--line);border-radius:0}
ul.notes{margin:6px 0;padding-left:20px;color:var(--muted)}
footer{max-width:1240px;margin:0 auto;padding:16px 32px 32px;color:var(--faint);font-size:12px;border-top:1px solid var(--line)}
@media (max-width:700px){main,header{padding-left:14px;padding-right:14px}.cards,.cards.narrow{grid-template-columns:1fr}}
@media print{nav{display:none}details.doc>pre{max-height:none}section{break-inside:avoid-page}}
`;

/** Renders the whole page. */
export function renderPage(o: PageOptions): string {
  const nav = o.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  const tiles = o.tiles.length
    ? `<div class="tiles">${o.tiles.map((t) => `<div class="tile"><div class="k">${esc(t.label)}</div><div class="v">${esc(t.value)}</div>${t.note ? `<div class="n">${esc(t.note)}</div>` : ''}</div>`).join('')}</div>`
    : '';
  const sections = o.sections
    .map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.lead ? `<p class="lead">${esc(s.lead)}</p>` : ''}${s.body}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="massivetext">
<title>${esc(o.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(o.title)}</h1><div class="sub">${o.subtitle}</div><nav>${nav}</nav></header>
<main>
${tiles}
${sections}
</main>
<footer>Written by massivetext. Self-contained: no scripts, no network; every chart is inline SVG, every text from the corpus is escaped.</footer>
</body>
</html>
`;
}
