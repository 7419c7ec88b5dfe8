import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { corpus } from '../tests/helpers/corpora.js';
import { charsMapFor, rulesFor } from './nfkc-charsmap.js';
import { Normalizer } from './normalizer.js';
import { botchan, UNICODE_LINES } from './testing/fixtures.js';
import { spmRequired } from './testing/reference-tools.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('NFKC charsmap built from the JavaScript engine', () => {
  const extra = [
    ...UNICODE_LINES,
    '\u2163 \u2460\u2461 \u3300 \u33c4 \ufe30 \uff5e \u301c \u00b5 \u212b \u2126 \u1e9b\u0323 \u0041\u030a \u0064\u0307\u0323',
    'Hangul jamo \u1100\u1161\u11a8 composes, \u3131 compat jamo, \uac00',
    'arabic presentation \ufb50\ufe8d\ufefb, kana \uff76\uff9e \u30ab\u3099, super\u00b9\u00b2\u00b3, fractions \u00bc\u2154',
  ];
  const lines = [...botchan().heldOut, ...readFileSync(corpus('books/gitenberg-972/972.txt'), 'utf8').split('\n').slice(0, 2000), ...extra];

  for (const name of ['nmt_nfkc', 'nfkc'] as const) {
    it.runIf(spmRequired())(`${name}: our normalizer equals spm_normalize with spm's own table on ${lines.length} lines`, () => {
      const ref = execFileSync('spm_normalize', [`--normalization_rule_name=${name}`], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n');
      const n = new Normalizer({ charsmap: charsMapFor(name), addDummyPrefix: false, removeExtraWhitespaces: true, escapeWhitespaces: false, treatWhitespaceAsSuffix: false });
      const diffs = lines.flatMap((l, i) => {
        const ours = dec.decode(n.normalizeView(enc.encode(l)));
        return ours === ref[i] ? [] : [{ line: l, ours, ref: ref[i] }];
      });
      expect(diffs).toEqual([]);
    });
  }

  it('has about as many rules as spm 0.1.97\'s nmt_nfkc (224,725, tokenizer.md §3.3)', () => {
    const rules = rulesFor('nmt_nfkc');
    expect(rules.size).toBeGreaterThan(220_000);
    expect(rules.size).toBeLessThan(230_000);
    expect(rules.get('\ufb01')).toBe('fi');
    expect(rules.get('\n')).toBe(' ');
    expect(rules.get('\u0001')).toBe('');
    expect(rules.has('\uff5e')).toBe(false);
    const nfkc = new Normalizer({ charsmap: charsMapFor('nfkc'), addDummyPrefix: false, removeExtraWhitespaces: false, escapeWhitespaces: false, treatWhitespaceAsSuffix: false });
    expect(nfkc.normalizeString('a\n\tb\ufb01')).toBe('a\n\tbfi');
  });
});

describe('Normalizer whitespace rules', () => {
  const norm = (text: string, o: Partial<ConstructorParameters<typeof Normalizer>[0]> = {}) =>
    new Normalizer({ charsmap: null, addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true, treatWhitespaceAsSuffix: false, ...o }).normalizeString(text);

  it('adds the dummy prefix and collapses/strips spaces by default', () => {
    expect(norm('  hello   world  ')).toBe('\u2581hello\u2581world');
    expect(norm('   ')).toBe('');
  });
  it('keeps every space and newline when remove_extra_whitespaces is off (our nfkc default)', () => {
    expect(norm(' a  b\nc ', { removeExtraWhitespaces: false })).toBe('\u2581\u2581a\u2581\u2581b\nc\u2581');
  });
  it('puts the marker at the end in suffix mode', () => {
    expect(norm('a b', { treatWhitespaceAsSuffix: true })).toBe('a\u2581b\u2581');
  });
  it('keeps user-defined symbols verbatim', () => {
    expect(new Normalizer({ charsmap: charsMapFor('nmt_nfkc'), addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true, treatWhitespaceAsSuffix: false, userDefinedSymbols: ['\uff21\uff22'] })
      .normalizeString('\uff21\uff22 \uff21')).toBe('\u2581\uff21\uff22\u2581A');
  });
});
