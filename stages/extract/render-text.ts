/**
 * Renders DOM subtrees as plain text that keeps the structure a reader sees: paragraphs and headings
 * separated by a blank line, list items one per line as "- item" / "1. item" (nested lists indented by
 * two spaces), preformatted blocks verbatim with their indentation, table rows one per line with cells
 * joined by " | ", <br> as a line break. Inline whitespace is collapsed the way a browser does.
 */
import type { DomNode } from './dom.js';

const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl', 'figure',
  'article', 'section', 'main', 'aside', 'header', 'footer', 'address', 'hr', 'details', 'fieldset', 'center']);
const LINE = new Set(['div', 'li', 'tr', 'dt', 'dd', 'summary', 'caption', 'form', 'nav', 'body', 'legend', 'option']);

class TextBuilder {
  private out: string[] = [];
  private pendingBreak = 0;
  private atLineStart = true;
  private lastSpace = true;

  brk(n: number): void {
    if (n > this.pendingBreak) this.pendingBreak = n;
  }

  private flushBreak(): void {
    if (this.pendingBreak && this.out.length) {
      // Remove trailing spaces before the line break.
      const last = this.out.length - 1;
      this.out[last] = this.out[last]!.replace(/[ \t]+$/, '');
      this.out.push('\n'.repeat(this.pendingBreak));
      this.atLineStart = true;
      this.lastSpace = true;
    }
    this.pendingBreak = 0;
  }

  /** Inline text with whitespace collapsed. */
  text(s: string): void {
    let t = s.replace(/[\s\u00a0]+/g, ' ');
    if (!t) return;
    if (t === ' ') {
      if (!this.lastSpace && !this.pendingBreak) {
        this.out.push(' ');
        this.lastSpace = true;
      }
      return;
    }
    this.flushBreak();
    if (this.atLineStart || this.lastSpace) t = t.replace(/^ /, '');
    if (!t) return;
    this.out.push(t);
    this.atLineStart = false;
    this.lastSpace = t.endsWith(' ');
  }

  /** Verbatim text (inside <pre>). */
  raw(s: string): void {
    if (!s) return;
    this.flushBreak();
    this.out.push(s);
    this.atLineStart = s.endsWith('\n');
    this.lastSpace = /\s$/.test(s);
  }

  /** A prefix such as a bullet, placed at the start of a line. */
  prefix(p: string): void {
    this.flushBreak();
    this.out.push(p);
    this.atLineStart = false;
    this.lastSpace = true;
  }

  toString(): string {
    return this.out.join('')
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+|\s+$/g, '');
  }
}

function rawText(n: DomNode, out: string[]): void {
  if (n.type === 'text') out.push(n.data ?? '');
  else if (n.type === 'tag') {
    if (n.name === 'br') out.push('\n');
    for (const c of n.children ?? []) rawText(c, out);
    if (n.name === 'div' || n.name === 'p' || n.name === 'li') out.push('\n');
  }
}

export function renderText(nodes: DomNode[]): string {
  const b = new TextBuilder();
  const lists: { ordered: boolean; n: number }[] = [];
  const walk = (n: DomNode) => {
    if (n.type === 'text') {
      b.text(n.data ?? '');
      return;
    }
    if (n.type !== 'tag' && n.type !== 'root') return;
    const name = n.name ?? '';
    switch (name) {
      case 'br':
        b.brk(1);
        return;
      case 'hr':
        b.brk(2);
        return;
      case 'pre': {
        b.brk(2);
        const parts: string[] = [];
        for (const c of n.children ?? []) rawText(c, parts);
        const t = parts.join('').replace(/^\r?\n/, '').replace(/\s+$/, '').replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ');
        b.raw(t);
        b.brk(2);
        return;
      }
      case 'ul':
      case 'ol': {
        b.brk(lists.length ? 1 : 2);
        lists.push({ ordered: name === 'ol', n: Number(n.attribs?.start ?? 1) || 1 });
        for (const c of n.children ?? []) walk(c);
        lists.pop();
        b.brk(lists.length ? 1 : 2);
        return;
      }
      case 'li': {
        b.brk(1);
        const l = lists[lists.length - 1];
        const indent = '  '.repeat(Math.max(0, lists.length - 1));
        if (l) b.prefix(indent + (l.ordered ? `${l.n++}. ` : '- '));
        for (const c of n.children ?? []) walk(c);
        b.brk(1);
        return;
      }
      case 'td':
      case 'th': {
        // Cells after the first in a row are separated by " | ".
        const row = n.parent;
        const cells = (row?.children ?? []).filter((c) => c.type === 'tag' && (c.name === 'td' || c.name === 'th'));
        if (cells[0] !== n) b.text(' | ');
        for (const c of n.children ?? []) walk(c);
        return;
      }
    }
    const level = PARAGRAPH.has(name) ? 2 : LINE.has(name) ? 1 : 0;
    if (level) b.brk(level);
    for (const c of n.children ?? []) walk(c);
    if (level) b.brk(level);
  };
  for (const n of nodes) walk(n);
  return b.toString();
}
