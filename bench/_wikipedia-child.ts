/**
 * Child process of bench/wikipedia.ts: reads one dump with wikipediaSource (XML scan + wikitext -> text)
 * and prints {pages, docs, textBytes, ms, cpuMs, maxRssKb} as JSON. Run in its own process so that its peak
 * RSS is the reader's alone.
 */
import { StageStats } from '../pipeline/index.js';
import { readDumpPages, wikipediaSource } from '../stages/wikipedia/index.js';

async function main(): Promise<void> {
  const file = process.argv[2]!;
  const stats = new StageStats('read:wikipedia');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let docs = 0;
  let textBytes = 0;
  // RSS / heap / buffer memory every 500 pages: flat memory means these plateau, whatever the dump size.
  const samples: { pages: number; rssMb: number; heapMb: number; externalMb: number }[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    if (gc && process.env.MT_SAMPLE_GC) gc();
    const m = process.memoryUsage();
    samples.push({ pages: stats.get('in'), rssMb: Math.round(m.rss / 2 ** 20), heapMb: Math.round(m.heapUsed / 2 ** 20), externalMb: Math.round((m.external + m.arrayBuffers) / 2 ** 20) });
  };
  let next = 500;
  const maybeSample = () => {
    if (stats.get('in') >= next) {
      next += 500;
      sample();
    }
  };
  if (process.argv[3] === 'scan') {
    // XML scan only (no wikitext conversion): comparable with a plain XML parser
    for await (const p of readDumpPages(file, () => stats.error('x'))) {
      stats.in();
      docs++;
      textBytes += p.text.length;
      maybeSample();
    }
  } else {
    for await (const d of wikipediaSource([file]).read({ stats, reporter: { progress() {}, info() {}, warn() {} } })) {
      docs++;
      textBytes += d.text.length;
      maybeSample();
    }
  }
  sample();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({
    pages: stats.get('in'), docs, textBytes, ms, cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    // max over each quarter of the run
    rssByQuarterMb: [0, 1, 2, 3].map((q) => Math.max(0, ...samples.filter((_, i) => Math.floor((i * 4) / samples.length) === q).map((x) => x.rssMb))),
    heapByQuarterMb: [0, 1, 2, 3].map((q) => Math.max(0, ...samples.filter((_, i) => Math.floor((i * 4) / samples.length) === q).map((x) => x.heapMb))),
    externalByQuarterMb: [0, 1, 2, 3].map((q) => Math.max(0, ...samples.filter((_, i) => Math.floor((i * 4) / samples.length) === q).map((x) => x.externalMb))),
    errors: Object.fromEntries(Object.entries(stats.counters).filter(([k]) => k.startsWith('error:'))),
  }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
