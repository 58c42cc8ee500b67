import { describe, expect, it } from 'vitest';
import { describeChanges, lineDiff } from '../../src/cli/diff.ts';
import { colourWanted, PLAIN } from '../../src/cli/output.ts';

describe('lineDiff', () => {
  it('keeps the common lines and lists removals before additions', () => {
    expect(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
    expect(lineDiff([], ['a'])).toEqual([{ op: '+', text: 'a' }]);
    expect(lineDiff(['a'], [])).toEqual([{ op: '-', text: 'a' }]);
  });
});

describe('describeChanges', () => {
  it('one line per changed value: changed, set, cleared', () => {
    const lines = describeChanges(
      { name: 'Bot', 'model.temperature': 0.7, firstMessage: 'Hi' },
      { name: 'Bot', 'model.temperature': 0.2, 'model.maxTokens': 300 },
      PLAIN,
    );
    expect(lines).toEqual([
      '    - firstMessage: "Hi"',
      '    model.temperature: 0.7 → 0.2',
      '    + model.maxTokens: 300',
    ]);
  });

  it('a long prompt: the changed lines with two lines of context, the rest elided', () => {
    const before = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const after = before.map((line) => (line === 'line 6' ? 'line six' : line));
    const lines = describeChanges(
      { 'model.systemPrompt': `${before.join('\n')}\n` },
      { 'model.systemPrompt': `${after.join('\n')}\n` },
      PLAIN,
    );
    expect(lines).toEqual([
      '    model.systemPrompt:',
      '      …',
      '        line 4',
      '        line 5',
      '      - line 6',
      '      + line six',
      '        line 7',
      '        line 8',
      '      …',
    ]);
  });

  it('nothing for equal values', () => {
    expect(describeChanges({ name: 'A' }, { name: 'A' }, PLAIN)).toEqual([]);
  });
});

describe('colour', () => {
  it('only on a terminal, and never with NO_COLOR', () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
  });
});
