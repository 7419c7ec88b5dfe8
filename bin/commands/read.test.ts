import { describe, expect, it } from 'vitest';
import { defaultCrawlerOptions } from '../../stages/http/index.js';
import { httpTimeoutOptions, readKindDescriptions } from './read-kind-list.js';
import { readKinds } from './read.js';
import { crawlerOptions } from './read-web.js';

describe('read kinds', () => {
  it('the light list (help texts, recipes) names the same kinds, in the same order, as the loaded table', async () => {
    const kinds = await readKinds();
    expect(Object.keys(readKindDescriptions)).toEqual(Object.keys(kinds));
    for (const [k, v] of Object.entries(kinds)) expect(v.describe).toBe(readKindDescriptions[k]);
  });
});

describe('HTTP timeout flags', () => {
  // flag -> the crawler option it sets (the help text quotes that option's default)
  const fields: Record<string, keyof typeof defaultCrawlerOptions> = {
    '--timeout': 'requestTimeoutMs', '--connect-timeout': 'connectTimeoutMs', '--headers-timeout': 'headersTimeoutMs',
    '--body-timeout': 'bodyTimeoutMs', '--min-speed': 'minBytesPerSecond', '--speed-window': 'lowSpeedWindowMs',
  };

  it('--help quotes the crawler defaults of every timeout flag', () => {
    expect(httpTimeoutOptions.map(([f]) => f.split(' ')[0])).toEqual(Object.keys(fields));
    for (const [flags, help] of httpTimeoutOptions) {
      const want = defaultCrawlerOptions[fields[flags.split(' ')[0]!]!];
      expect(help, flags).toContain(`(default ${want}`);
    }
  });

  it('each flag reaches its crawler option; a bad value is a clear bad_option error', () => {
    const opts = { timeout: '1500', connectTimeout: '200', headersTimeout: '300', bodyTimeout: '400', minSpeed: '0', speedWindow: '500' };
    expect(crawlerOptions(opts)).toEqual({ requestTimeoutMs: 1500, connectTimeoutMs: 200, headersTimeoutMs: 300, bodyTimeoutMs: 400, minBytesPerSecond: 0, lowSpeedWindowMs: 500 });
    expect(crawlerOptions({})).toEqual({});
    expect(() => crawlerOptions({ timeout: '0' })).toThrow(/--timeout must be an integer >= 1, got "0"/);
    expect(() => crawlerOptions({ minSpeed: '1.5k' })).toThrow(/--min-speed must be an integer >= 0/);
  });
});
