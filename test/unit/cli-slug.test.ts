import { describe, expect, it } from 'vitest';
import { isSlug, slugOf } from '../../src/cli/slug.ts';

describe('slugOf', () => {
  it.each([
    ['Support Bot', 'support-bot'],
    ['Support Bot (EU)', 'support-bot-eu'],
    ['  --Sales__Line 2!! ', 'sales-line-2'],
    ['ÄÖÜ Desk', 'desk'],
    ['a...b', 'a-b'],
    ['???', ''],
  ])('%j is %j', (name, slug) => {
    expect(slugOf(name)).toBe(slug);
  });

  it('a slug is its own slug; anything else is not one', () => {
    expect(isSlug('support-bot')).toBe(true);
    for (const text of ['Support-bot', 'support--bot', '-support', 'support bot', ''])
      expect(isSlug(text)).toBe(false);
  });
});
