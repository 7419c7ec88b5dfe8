/** Assembles the steps of `build` from a recipe, in order. */
import type { Step, Unit } from '../../pipeline/index.js';
import type { ReadKind } from '../commands/read.js';
import type { Recipe } from '../recipe/recipe.js';
import { ingestStep } from './ingest-step.js';
import { reportStep } from './report-step.js';

export function assembleSteps(recipe: Recipe, kinds: Record<string, ReadKind>): Step<Unit>[] {
  const steps: Step<Unit>[] = [];
  steps.push(ingestStep(recipe, kinds) as unknown as Step<Unit>);
  steps.push(reportStep(recipe, () => steps.map((s) => s.name)));
  return steps;
}
