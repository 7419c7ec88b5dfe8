/** Worker entry for sample shards: opens each input subset once per worker thread, then writes shards. */
import type { TokenShardEntry } from '../../pipeline/token-shards.js';
import { type SampleShardJob, writeSampleShard } from './sample-shard.js';
import { TokenSource } from './token-source.js';

const sources = new Map<string, Promise<TokenSource>>();

export async function writeSampleShardJob(job: SampleShardJob): Promise<TokenShardEntry> {
  let src = sources.get(job.sourceDir);
  if (!src) {
    src = TokenSource.open(job.sourceDir);
    sources.set(job.sourceDir, src);
  }
  const written = await writeSampleShard(await src, job);
  return written.commit();
}
