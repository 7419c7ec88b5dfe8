import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtCompact, fmtInt, fmtNum, fmtPct } from './format.js';
import { esc } from './html-escape.js';
import { barChart, niceTicks } from './svg-charts.js';

describe('format', () => {
  it.each([
    [fmtInt(1234567), '1,234,567'],
    [fmtInt(-1000), '-1,000'],
    [fmtInt(NaN), '–'],
    [fmtCompact(9999), '9,999'],
    [fmtCompact(12_345), '12.3k'],
    [fmtCompact(5_820_000), '5.82M'],
    [fmtCompact(2.5e9), '2.5B'],
    [fmtBytes(999), '999 B'],
    [fmtBytes(1536), '1.54 kB'],
    [fmtBytes(23_200_000), '23.2 MB'],
    [fmtPct(0.4812), '48.1%'],
    [fmtPct(0.0004), '<0.1%'],
    [fmtPct(0), '0.0%'],
    [fmtPct(0.004, 0), '<1%'],
    [fmtNum(4.1), '4.1'],
    [fmtNum(3), '3'],
  ])('%s is %s', (got, want) => expect(got).toBe(want));
});

describe('esc', () => {
  it('escapes the five markup characters and replaces control characters', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(esc('a\u0000b\u0007c\td\ne')).toBe('a\ufffdb\ufffdc\td\ne');
    expect(esc(42)).toBe('42');
  });
});

describe('svg charts', () => {
  it('picks round ticks that cover the maximum', () => {
    expect(niceTicks(598)).toEqual([0, 200, 400, 600]);
    expect(niceTicks(0.49, 5)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it('draws bars proportional to their values, a hairline for tiny non-zero values', () => {
    const svg = barChart([{ label: 'a', value: 100 }, { label: 'b', value: 50 }, { label: 'c', value: 0.001 }, { label: 'd', value: 0 }], { title: 't' });
    const widths = [...svg.matchAll(/class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(4);
    expect(widths[1]! / widths[0]!).toBeCloseTo(0.5, 2);
    expect(widths[2]).toBe(1.5);
    expect(widths[3]).toBe(0);
  });
});
