/** Shared real-text fixtures for the tokenizer tests: botchan split into training and held-out lines. */
import { readFileSync } from 'node:fs';
import { corpus } from '../../tests/helpers/corpora.js';

export function botchan(): { train: string[]; heldOut: string[] } {
  const lines = readFileSync(corpus('books/sentencepiece-botchan.txt'), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { train: lines.slice(0, 3000), heldOut: lines.slice(3000) };
}

/** Lines exercising normalization and whitespace: compatibility forms, combining marks, controls, scripts. */
export const UNICODE_LINES: readonly string[] = [
  '\uff26\uff55\uff4c\uff4c width\u3000text, \ufb01ne ligature \u00bd \u2460 \u337b and \u2122',
  '  leading and   multiple   spaces\tand\ttabs\t  ',
  'caf\u00e9 cafe\u0301 na\u00efve r\u00e9sum\u00e9 a\u0308\u0304 n\u0303 d\u0307\u0323 \u0386\u03b8\u03ae\u03bd\u03b1 \u041c\u043e\u0441\u043a\u0432\u0430',
  '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u30fc \ud55c\uad6d\uc5b4 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u0939\u093f\u0928\u094d\u0926\u0940',
  'emoji \ud83d\ude00\ud83d\udc4d\ud83c\udffd, controls \u0001\u0007\u007f and nbsp\u00a0here, zero\u200bwidth, bom\ufeff',
  'marker \u2581 lower block, <s> </s> <unk> <0x41> literal pieces, \ufffd replacement',
  'numbers 1234567890 -2.0 3rd F1 don\'t \uff11\uff12\uff13 x\u00b2 \u2153',
  'carriage return at the end\r',
  '\u00a0\u00a0',
  '',
  'Bo' + 'tchan '.repeat(300),
];
