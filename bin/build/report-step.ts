/**
 * Step `report`: adds up the stats of every unit of every step into report.json (counts only, no
 * timings, so a resumed build writes the same bytes) and timings.json (wall time per step).
 */
import { collectStepStats, type RunStats, type Step, writeFileAtomic } from '../../pipeline/index.js';
import type { Recipe } from '../recipe/recipe.js';
import { layout } from './layout.js';
import * as path from 'node:path';

export interface BuildReport {
  recipe: string;
  steps: Record<string, { units: number; stats: RunStats }>;
  /** Extra sections steps contribute (subset summaries, dedup clusters, tokenizer, tokens). */
  [k: string]: unknown;
}

export type ReportSection = (outDir: string, steps: BuildReport['steps']) => Promise<Record<string, unknown>>;

export function reportStep(recipe: Recipe, stepNames: () => string[], sections: ReportSection[] = [],
  render?: (report: BuildReport, outDir: string) => Promise<void>): Step {
  return {
    name: 'report',
    kind: 'global',
    async units() {
      return [{ key: 'report' }];
    },
    async runUnit(_u, ctx) {
      const report: BuildReport = { recipe: recipe.name, steps: {} };
      const timings: Record<string, number> = {};
      for (const name of stepNames()) {
        if (name === 'report') continue;
        const { stats, done, wallMs } = await collectStepStats(ctx.outDir, name);
        report.steps[name] = { units: done.length, stats };
        timings[name] = wallMs;
      }
      for (const section of sections) Object.assign(report, await section(ctx.outDir, report.steps));
      await writeFileAtomic(layout.report(ctx.outDir), JSON.stringify(report, null, 2) + '\n');
      await writeFileAtomic(path.join(ctx.outDir, 'timings.json'), JSON.stringify({ wall_ms: timings }, null, 2) + '\n');
      if (render) await render(report, ctx.outDir);
      return {};
    },
  };
}
