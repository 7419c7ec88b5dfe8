import { describe, expect, it } from 'vitest';
import { readKindDescriptions } from './read-kind-list.js';
import { readKinds } from './read.js';

describe('read kinds', () => {
  it('the light list (help texts, recipes) names the same kinds, in the same order, as the loaded table', async () => {
    const kinds = await readKinds();
    expect(Object.keys(readKindDescriptions)).toEqual(Object.keys(kinds));
    for (const [k, v] of Object.entries(kinds)) expect(v.describe).toBe(readKindDescriptions[k]);
  });
});
