/**
 * Wikipedia dump reading: throughput and peak RSS of our streaming reader on a multi-hundred-MB dump made
 * from the real enwiki fixtures (pages repeated with fresh page ids), as .xml and as .xml.bz2, against
 * Python's xml.etree.ElementTree.iterparse with elem.clear() (the usual streaming reader, e.g. gensim's
 * extract_pages) on the same files, and `bzip2 -dc` alone as the decompression floor.
 * Memory is flat if our peak RSS on the big dump is about the same as on the 2 MB fixture.
 *
 * Args: [MB=300] [bz2=yes|no] [repeats=1]. Dumps are cached in $TMPDIR/massivetext-bench-wikipedia.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, runTimed } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '..');
const fixtures = path.join(process.env.MASSIVETEXT_SHARED ?? path.resolve(repoRoot, '../shared'), 'corpora', 'wikipedia');

const PY_REFERENCE = `
import sys, bz2
import xml.etree.ElementTree as ET
f = sys.argv[1]
fh = bz2.open(f, 'rb') if f.endswith('.bz2') else open(f, 'rb')
pages = 0; text = 0
for ev, el in ET.iterparse(fh, events=('end',)):
    tag = el.tag.rsplit('}', 1)[-1]
    if tag == 'text':
        text += len(el.text or '')
    elif tag == 'page':
        pages += 1
        el.clear()
print(pages, text)
`;

function decompress(file: string): string {
  const r = spawnSync('bzip2', ['-dc', '--', file], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`bzip2 -dc ${file} failed: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

/** Writes a dump of about `mb` MB: the fixtures' siteinfo, then their pages repeated with new page ids. */
async function makeDump(file: string, mb: number): Promise<{ pages: number }> {
  const sources = ['enwiki-20160407-sample-part1.xml.bz2', 'enwiki-table-markup.xml.bz2'].map((f) => decompress(path.join(fixtures, f)));
  const head = sources[0]!.slice(0, sources[0]!.indexOf('<page>'));
  const pages = sources.flatMap((s) => s.match(/<page>[\s\S]*?<\/page>/g) ?? []);
  const out = createWriteStream(`${file}.tmp`);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(head);
  let bytes = Buffer.byteLength(head);
  let n = 0;
  for (let copy = 0; bytes < mb * 1e6; copy++) {
    for (const p of pages) {
      // dense page ids, as in a real dump
      const page = p.replace(/<id>(\d+)<\/id>/, () => `<id>${n + 1}</id>`);
      await write(`  ${page}\n`);
      bytes += Buffer.byteLength(page) + 3;
      n++;
    }
  }
  await write('</mediawiki>\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  await fs.rename(`${file}.tmp`, file);
  return { pages: n };
}

async function compress(xml: string, bz2: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bzip2', ['-c', '-9'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out = createWriteStream(`${bz2}.tmp`);
    child.stdout.pipe(out);
    createReadStream(xml).pipe(child.stdin);
    child.on('error', reject);
    out.on('finish', () => (child.exitCode === 0 || child.exitCode === null ? resolve() : reject(new Error(`bzip2 exited ${child.exitCode}`))));
  });
  await fs.rename(`${bz2}.tmp`, bz2);
}

/** The Python reference under /usr/bin/time: wall, user+sys CPU, peak RSS. */
function python(file: string): { ms: number; cpuMs: number; rssKb: number; pages: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '/usr/bin/python3', '-c', PY_REFERENCE, file], { maxBuffer: 1 << 24 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`python reference failed: ${r.stderr}`);
  const [rss, user, sys] = r.stderr.toString().trim().split('\n').pop()!.split(' ').map(Number);
  return { ms, cpuMs: (user! + sys!) * 1000, rssKb: rss!, pages: Number(r.stdout.toString().split(' ')[0]) };
}

interface ChildResult { pages: number; docs: number; textBytes: number; ms: number; cpuMs: number; maxRssKb: number; rssByQuarterMb: number[]; heapByQuarterMb: number[] }

/** Node flags to pass on to the child: loaders (tsx) yes, never --eval/--print (that would re-run this bench). */
function loaderArgs(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--import' || a === '--require' || a === '-r' || a === '--loader' || a === '--experimental-loader') {
      out.push(a, argv[++i]!);
    } else if (/^--(?:import|require|loader|experimental-loader)=/.test(a)) {
      out.push(a);
    } else if (a === '--eval' || a === '-e' || a === '--print' || a === '-p') {
      i++;
    }
  }
  return out;
}

function ours(file: string, mode: 'full' | 'scan'): ChildResult {
  const child = path.join(here, `_wikipedia-child${path.extname(fileURLToPath(import.meta.url))}`);
  const r = spawnSync(process.execPath, [...loaderArgs(), child, file, mode], { maxBuffer: 1 << 24, timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`reader failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString()) as ChildResult;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function run(args: string[]): Promise<unknown> {
  const mb = Number(args[0] ?? 300);
  const withBz2 = (args[1] ?? 'yes') !== 'no';
  const repeats = Number(args[2] ?? 1);
  const dir = path.join(os.tmpdir(), 'massivetext-bench-wikipedia');
  await fs.mkdir(dir, { recursive: true });
  const xml = path.join(dir, `enwiki-synthetic-${mb}MB.xml`);
  const bz2 = `${xml}.bz2`;
  if (!existsSync(xml)) await makeDump(xml, mb);
  if (withBz2 && !existsSync(bz2)) await compress(xml, bz2);
  const xmlMb = (await fs.stat(xml)).size / 1e6;
  const small = path.join(fixtures, 'enwiki-20160407-sample-part1.xml.bz2');

  const measure = (file: string) => {
    const full: ChildResult[] = [];
    const scan: ChildResult[] = [];
    const ref: { ms: number; cpuMs: number; rssKb: number }[] = [];
    for (let i = 0; i < repeats; i++) {
      full.push(ours(file, 'full'));
      scan.push(ours(file, 'scan'));
      const py = python(file);
      ref.push(py);
      const pyPages = py.pages;
      if (pyPages !== scan[i]!.pages) throw new Error(`page count differs: ours ${scan[i]!.pages}, python ${pyPages}`);
    }
    const f = { ms: median(full.map((x) => x.ms)), cpu: median(full.map((x) => x.cpuMs)), rss: Math.max(...full.map((x) => x.maxRssKb)) };
    const s = { ms: median(scan.map((x) => x.ms)), cpu: median(scan.map((x) => x.cpuMs)), rss: Math.max(...scan.map((x) => x.maxRssKb)) };
    const p = { ms: median(ref.map((x) => x.ms)), cpu: median(ref.map((x) => x.cpuMs)), rss: Math.max(...ref.map((x) => x.rssKb)) };
    return {
      pages: full[0]!.pages,
      articles_out: full[0]!.docs,
      ours_full: { mb_s: round(xmlMb / (f.ms / 1000)), wall_s: round(f.ms / 1000), cpu_s: round(f.cpu / 1000), peak_rss_mb: round(f.rss / 1024),
        rss_mb_by_quarter_of_run: full[0]!.rssByQuarterMb, heap_used_mb_by_quarter_of_run: full[0]!.heapByQuarterMb, note: 'XML scan + redirect/disambiguation checks + wikitext -> text' },
      ours_scan: { mb_s: round(xmlMb / (s.ms / 1000)), wall_s: round(s.ms / 1000), cpu_s: round(s.cpu / 1000), peak_rss_mb: round(s.rss / 1024), note: 'XML scan only (pages with title, ids, text)' },
      reference_python_iterparse: { mb_s: round(xmlMb / (p.ms / 1000)), wall_s: round(p.ms / 1000), cpu_s: round(p.cpu / 1000), peak_rss_mb: round(p.rss / 1024), note: 'expat via ElementTree.iterparse, elem.clear() per page; no wikitext conversion' },
      ratio_scan_speed_ours_over_reference: { wall: round(p.ms / s.ms, 2), cpu: round(p.cpu / s.cpu, 2) },
    };
  };

  const result: Record<string, unknown> = {
    data: { dump_mb: round(xmlMb), bz2_mb: withBz2 ? round((await fs.stat(bz2)).size / 1e6) : null, cpus: os.availableParallelism(), repeats, dump: xml },
    xml: measure(xml),
  };
  if (withBz2) {
    const floor = runTimed('sh', ['-c', 'bzip2 -dc -- "$0" > /dev/null', bz2]);
    result.bz2 = { ...measure(bz2), bzip2_dc_alone: { wall_s: round(floor.ms / 1000), mb_s: round(xmlMb / (floor.ms / 1000)) } };
  }
  const tiny = ours(small, 'full');
  result.flat_memory = {
    peak_rss_mb_on_2mb_fixture: round(tiny.maxRssKb / 1024),
    peak_rss_mb_on_big_dump: round(ours(withBz2 ? bz2 : xml, 'full').maxRssKb / 1024),
    dump_mb: round(xmlMb),
  };
  return result;
}
