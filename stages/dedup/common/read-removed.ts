/** Reads the removal records a filter phase wrote for every part (for --explain and reports). */
import { promises as fs } from 'node:fs';
import { layout } from './work-layout.js';

export async function readRemoved<R = Record<string, unknown>>(workDir: string, parts: number): Promise<R[]> {
  const out: R[] = [];
  for (let p = 0; p < parts; p++) {
    let text = '';
    try {
      text = await fs.readFile(layout.removed(workDir, p), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as R);
  }
  return out;
}
