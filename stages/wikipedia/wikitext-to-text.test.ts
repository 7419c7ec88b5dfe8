import { describe, expect, it } from 'vitest';
import { decodeHtmlEntities, linkText, removeTables, replaceNested, templateText, wikitextToText } from './wikitext-to-text.js';

describe('wikitextToText', () => {
  it('reduces links to their text, with link trails', () => {
    expect(wikitextToText("'''Anarchism''' is a [[political philosophy]] that advocates [[self-governance|self-governed]] [[society|societies]] and [[state]]s."))
      .toBe('Anarchism is a political philosophy that advocates self-governed societies and states.');
  });

  it('removes files (with nested links in the caption), categories and interlanguage links', () => {
    const wt = '[[Image:Levellers.gif|thumb|upright|Woodcut from a [[Diggers]] document by [[William Everard (Digger)|William Everard]]]]\nThe earliest themes.\n[[Category:Anarchism| ]]\n[[fr:Anarchisme]]';
    expect(wikitextToText(wt)).toBe('The earliest themes.');
    expect(linkText(':Category:Anarchism|the category')).toBe('the category');
    expect(linkText('wikt:brigand|brigand')).toBe('brigand');
    expect(linkText('Kingdom of Naples (disambiguation)|')).toBe('Kingdom of Naples');
    expect(linkText('Datei:Foo.jpg|thumb', { hiddenNamespaces: new Set(['datei']) })).toBe('');
  });

  it('removes references, self-closing or with content containing templates', () => {
    const wt = 'stateless societies,<ref>"ANARCHISM, a social philosophy." {{cite web|url=x}}</ref><ref name="iaf"/> although<ref name=slevin/> several';
    expect(wikitextToText(wt)).toBe('stateless societies, although several');
  });

  it('removes templates (nested) but keeps the inline ones that carry text', () => {
    expect(wikitextToText('{{Infobox settlement\n|name = Toronto\n|nickname = {{nowrap|T.O.}}\n}}\nToronto is big.')).toBe('Toronto is big.');
    expect(wikitextToText('It is {{convert|5|km|mi}} long, {{lang|fr|très}} long{{citation needed|date=May 2010}}.'))
      .toBe('It is 5 km long, très long.');
    expect(wikitextToText('1939{{ndash}}1945 and {{nowrap|{{convert|3|to|5|m}}}}')).toBe('1939–1945 and 3 to 5 m');
    expect(wikitextToText("'''Toronto''' ({{IPAc-en|t|ɵ|ˈ|r|ɒ|n|t|oʊ}}) is a city.")).toBe('Toronto is a city.');
    expect(templateText('#if:x|y')).toBe('');
  });

  it('removes tables, nested ones too', () => {
    const wt = 'Before.\n{| class="wikitable"\n! A !! B\n|-\n| 1\n| {{{!}}\n{|\n| inner\n|}\n|}\nAfter.';
    expect(wikitextToText(wt)).toBe('Before.\nAfter.');
    expect(removeTables('x\n:{|\n|a\n|}\ny')).toBe('x\ny');
  });

  it('keeps headings as their own lines, drops appendix sections and empty sections', () => {
    const wt = 'Lead text.\n\n==History==\n{{Main|History of X}}\n\n===Origins===\nOld times.\n\n===Empty===\n{{Expand section}}\n\n== See also ==\n* [[Y]]\n\n==References==\n{{reflist}}\n\n==External links==\n* [http://x.org X]';
    expect(wikitextToText(wt)).toBe('Lead text.\n\nHistory\n\nOrigins\n\nOld times.');
  });

  it('external links become their label; lists lose their bullets; entities decoded', () => {
    const wt = 'See [http://example.org the site] and [http://example.org].\n* one&nbsp;item\n# two &ndash; three\n: indented &amp; more';
    expect(wikitextToText(wt)).toBe('See the site and.\none item\ntwo – three\nindented & more');
  });

  it('comments, magic words, bold/italic, <br>, nowiki', () => {
    const wt = "__NOTOC__<!-- hidden -->''Italic'' and '''bold'''<br/>next <nowiki>[[not a link]]</nowiki> <small>small</small>";
    expect(wikitextToText(wt)).toBe('Italic and bold\nnext [[not a link]] small');
  });

  it('math, gallery and source blocks are removed', () => {
    expect(wikitextToText('Energy <math>E = mc^2</math> is.\n<gallery>\nFile:A.jpg|a\n</gallery>\n<syntaxhighlight lang="c">int x;</syntaxhighlight>Done.'))
      .toBe('Energy is.\n\nDone.');
  });
});

describe('helpers', () => {
  it('replaceNested resolves innermost first and leaves unbalanced openers', () => {
    expect(replaceNested('a{{b{{c}}d}}e', '{{', '}}', (x) => `<${x}>`)).toBe('a<b<c>d>e');
    expect(replaceNested('a{{b', '{{', '}}', () => '')).toBe('a{{b');
    expect(replaceNested('a}}b', '{{', '}}', () => 'X')).toBe('a}}b');
  });
  it('decodes HTML entities', () => {
    expect(decodeHtmlEntities('a&nbsp;b&mdash;c&#233;&#x41;&unknown;')).toBe('a b—céA&unknown;');
  });
});
