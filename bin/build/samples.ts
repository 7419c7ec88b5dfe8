/**
 * A few kept and dropped documents per unit (text cut to 600 characters) for the report, written as
 * steps/<step>/samples/<unit>.json and merged in unit order, so the report is deterministic.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Document, stepDir, writeFileAtomic } from '../../pipeline/index.js';

export interface DocSample {
  subset: string;
  id: string;
  text: string;
  detail?: string;
}

export interface DocSamples {
  kept: DocSample[];
  dropped: Record<string, DocSample[]>;
}

export function sampleText(d: Document, detail?: string): DocSample {
  const text = d.text.length > 600 ? d.text.slice(0, 600) + ' …' : d.text;
  return detail === undefined ? { subset: d.subset, id: d.id, text } : { subset: d.subset, id: d.id, text, detail };
}

export async function writeSamples(outDir: string, step: string, unit: string, s: DocSamples): Promise<void> {
  await writeFileAtomic(path.join(stepDir(outDir, step), 'samples', `${unit}.json`), JSON.stringify(s) + '\n');
}

/** Merges unit samples in key order: up to `kept` kept documents per subset and `perReason` per reason. */
export async function collectSamples(outDir: string, step: string, kept = 3, perReason = 3): Promise<DocSamples> {
  const dir = path.join(stepDir(outDir, step), 'samples');
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return { kept: [], dropped: {} };
  }
  const out: DocSamples = { kept: [], dropped: {} };
  const keptPerSubset = new Map<string, number>();
  for (const n of names) {
    const s = JSON.parse(await fs.readFile(path.join(dir, n), 'utf8')) as DocSamples;
    for (const k of s.kept) {
      const c = keptPerSubset.get(k.subset) ?? 0;
      if (c < kept) {
        out.kept.push(k);
        keptPerSubset.set(k.subset, c + 1);
      }
    }
    for (const [reason, list] of Object.entries(s.dropped)) {
      const into = (out.dropped[reason] ??= []);
      for (const d of list) if (into.length < perReason) into.push(d);
    }
  }
  out.dropped = Object.fromEntries(Object.entries(out.dropped).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}
