// The bulk panel's choices become the PATCH body of POST /assistants/bulk: only the chosen fields.
import { describe, expect, it } from 'vitest';
import { type BulkField, bulkPatchOf, EMPTY_BULK_VALUES } from '../../web/src/bulk-patch.ts';
import { countWords, kindWords, progressWords } from '../../web/src/job-words.ts';

const values = {
  ...EMPTY_BULK_VALUES,
  modelProvider: 'anthropic',
  modelName: ' claude-sonnet ',
  temperature: '0.2',
  systemPrompt: 'Be brief.',
  firstMessage: '',
  voiceProvider: '',
  voiceId: 'burt',
};

describe('bulkPatchOf', () => {
  it.each<[BulkField[], unknown]>([
    [['temperature'], { model: { temperature: 0.2 } }],
    [['model'], { model: { provider: 'anthropic', model: 'claude-sonnet' } }],
    [['temperature', 'systemPrompt'], { model: { temperature: 0.2, systemPrompt: 'Be brief.' } }],
    [['firstMessage'], { firstMessage: null }],
    [['voice'], { voice: { voiceId: 'burt' } }],
    [[], {}],
  ])('%j → %j', (chosen, patch) => {
    expect(bulkPatchOf(new Set(chosen), values)).toEqual(patch);
  });

  it('leaves out an empty model provider, so each assistant keeps its own', () => {
    expect(bulkPatchOf(new Set(['model']), { ...values, modelProvider: '' })).toEqual({
      model: { model: 'claude-sonnet' },
    });
  });
});

describe('job words', () => {
  it.each([
    [{ state: 'running', done: 12, total: 200, failed: 1 }, 'Running: 12 of 200, 1 failed.'],
    [{ state: 'running', done: 40, total: null, failed: 0 }, 'Running: 40 so far.'],
    [{ state: 'queued', done: 0, total: 3, failed: 0 }, 'Waiting to start.'],
    [{ state: 'succeeded', done: 3, total: 3, failed: 0 }, 'Finished: 3 of 3.'],
    [{ state: 'cancelled', done: 2, total: 6, failed: 0 }, 'Cancelled after 2 of 6.'],
    [{ state: 'failed', done: 0, total: null, failed: 0 }, 'Failed after 0 so far.'],
  ] as const)('%j → %s', (job, words) => {
    expect(progressWords(job)).toBe(words);
  });

  it('counts failures', () => {
    expect(countWords({ done: 5, total: 5, failed: 2 })).toBe('5 of 5, 2 failed');
  });

  it('names an import by its connection', () => {
    expect(kindWords({ kind: 'import' }, 'Production')).toBe('Import from “Production”');
    expect(kindWords({ kind: 'import' }, undefined)).toBe('Import from a removed connection');
    expect(kindWords({ kind: 'bulk' }, 'Production')).toBe('Bulk change');
  });
});
