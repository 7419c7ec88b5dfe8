/** Document ids of a part, one JSON string a line in ordinal order: lets the cluster phase name kept documents. */
import { AtomicWriter } from '../../../pipeline/atomic-file.js';
import { readLines } from '../../../pipeline/lines.js';

export class IdWriter {
  private out: AtomicWriter;
  private buf: string[] = [];
  private bytes = 0;

  private constructor(out: AtomicWriter) {
    this.out = out;
  }

  static async open(file: string): Promise<IdWriter> {
    return new IdWriter(await AtomicWriter.open(file));
  }

  async add(id: string): Promise<void> {
    const line = JSON.stringify(id) + '\n';
    this.buf.push(line);
    this.bytes += line.length;
    if (this.bytes > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.buf.length) return;
    await this.out.write(this.buf.join(''));
    this.buf = [];
    this.bytes = 0;
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.out.commit();
  }

  async abort(): Promise<void> {
    await this.out.abort();
  }
}

/** Ids of the wanted ordinals (streams the file once). */
export async function readIds(file: string, wanted: Set<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!wanted.size) return out;
  for await (const { text, line } of readLines(file)) {
    const ordinal = line - 1;
    if (wanted.has(ordinal)) {
      out.set(ordinal, JSON.parse(text) as string);
      if (out.size === wanted.size) break;
    }
  }
  return out;
}
