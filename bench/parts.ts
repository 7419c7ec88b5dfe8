/**
 * Document-part write and read throughput (MB/s of raw JSON lines) against the `zstd` command line at the
 * same level on the same bytes. Documents: files of the real bench corpus (make-bench-corpus.sh).
 * Args: [MB=100] [level=3] [repeats=3]
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Document, DocumentPartWriter, readDocuments } from '../pipeline/index.js';
import { benchCorpusDir, listFiles, median, runTimed, timeIt } from './_util.js';

export async function run(args: string[]): Promise<unknown> {
  const mb = Number(args[0] ?? 100);
  const level = Number(args[1] ?? 3);
  const repeats = Number(args[2] ?? 3);
  const files = await listFiles(benchCorpusDir, mb * 1e6, (f) => /\/(prose|html|code|email)\//.test(f));
  const docs: Document[] = [];
  for (const f of files) docs.push({ id: path.relative(benchCorpusDir, f), subset: 'web', text: (await fs.readFile(f)).toString('utf8'), meta: {} });
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mt-bench-parts-'));
  try {
    const jsonl = path.join(tmp, 'docs.jsonl');
    const part = path.join(tmp, 'part-00000.jsonl.zst');
    const cliOut = path.join(tmp, 'cli.jsonl.zst');
    const ours = { write: [] as number[], read: [] as number[] };
    const ref = { write: [] as number[], read: [] as number[] };
    let rawBytes = 0;
    let partBytes = 0;
    for (let r = 0; r < repeats; r++) {
      const w = await timeIt(async () => {
        const writer = await DocumentPartWriter.open(part, { level });
        for (const d of docs) await writer.add(d);
        await writer.commit();
        return writer.rawBytes;
      });
      rawBytes = w.value;
      ours.write.push(w.ms);
      const rd = await timeIt(async () => {
        let n = 0;
        for await (const _d of readDocuments(part)) n++;
        return n;
      });
      if (rd.value !== docs.length) throw new Error(`read ${rd.value} docs, wrote ${docs.length}`);
      ours.read.push(rd.ms);
      partBytes = (await fs.stat(part)).size;
      if (r === 0) await fs.writeFile(jsonl, docs.map((d) => JSON.stringify({ id: d.id, subset: d.subset, text: d.text, meta: d.meta })).join('\n') + '\n');
      const cw = runTimed('zstd', [`-${level}`, '-q', '-f', jsonl, '-o', cliOut]);
      ref.write.push(cw.ms);
      const cr = runTimed('sh', ['-c', `zstd -d -q -c "$0" > /dev/null`, cliOut]);
      ref.read.push(cr.ms);
    }
    const mbps = (ms: number) => Math.round((rawBytes / 1e6 / (ms / 1000)) * 10) / 10;
    const cliBytes = (await fs.stat(cliOut)).size;
    return {
      data: { documents: docs.length, raw_mb: Math.round(rawBytes / 1e5) / 10, level, repeats, cpus: os.availableParallelism() },
      ours: { write_mb_s: mbps(median(ours.write)), read_mb_s: mbps(median(ours.read)), compressed_mb: Math.round(partBytes / 1e5) / 10,
        note: 'write = JSON serialise + zstd + atomic write; read = zstd decode + line split + JSON parse into Documents' },
      reference: { tool: 'zstd CLI', write_mb_s: mbps(median(ref.write)), read_mb_s: mbps(median(ref.read)), compressed_mb: Math.round(cliBytes / 1e5) / 10,
        note: 'compress the same JSON lines file / decompress to /dev/null (no parsing)' },
      ratio_ours_over_reference: { write: Math.round((median(ref.write) / median(ours.write)) * 100) / 100, read: Math.round((median(ref.read) / median(ours.read)) * 100) / 100 },
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
