// The bulk panel's choices become the PATCH body of POST /assistants/bulk: only the chosen fields.
import { describe, expect, it } from 'vitest';
import { type BulkField, bulkPatchOf, EMPTY_BULK_VALUES } from '../../web/src/bulk-patch.ts';
import { countWords, importResultWords, kindWords, progressWords } from '../../web/src/job-words.ts';

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
    [{ state: 'running', done: 12, total: 200, failed: 1, imported: null }, 'Running: 12 of 200, 1 failed.'],
    [{ state: 'running', done: 40, total: null, failed: 0, imported: null }, 'Running: 40 so far.'],
    [{ state: 'queued', done: 0, total: 3, failed: 0, imported: null }, 'Waiting to start.'],
    [{ state: 'succeeded', done: 3, total: 3, failed: 0, imported: null }, 'Finished: 3 of 3.'],
    [{ state: 'cancelled', done: 2, total: 6, failed: 0, imported: null }, 'Cancelled after 2 of 6.'],
    [{ state: 'failed', done: 0, total: null, failed: 0, imported: null }, 'Failed after 0 so far.'],
    [
      { state: 'running', done: 500, total: 1200, failed: 0, imported: 480 },
      'Running: 500 of 1200, 480 new.',
    ],
    [{ state: 'running', done: 0, total: 1200, failed: 0, imported: 0 }, 'Running: 0 of 1200.'],
    [{ state: 'succeeded', done: 8, total: 8, failed: 1, imported: 5 }, 'Finished: 8 of 8, 5 new, 1 failed.'],
    [{ state: 'succeeded', done: 8, total: 8, failed: 0, imported: 0 }, 'Finished: 8 of 8, 0 new.'],
  ] as const)('%j → %s', (job, words) => {
    expect(progressWords(job)).toBe(words);
  });

  it('counts failures', () => {
    expect(countWords({ done: 5, total: 5, failed: 2, imported: null })).toBe('5 of 5, 2 failed');
  });

  it('says what an import brought in: how many were new and how many were here already', () => {
    expect(importResultWords({ done: 8, total: 8, failed: 0, imported: 3 })).toBe(
      '8 of 8 assistants on this account are now in Switchboard: 3 new, 5 already here and left as they were.',
    );
    expect(importResultWords({ done: 8, total: 8, failed: 2, imported: 3 })).toBe(
      '6 of 8 assistants on this account are now in Switchboard: 3 new, 3 already here and left as they were.',
    );
    expect(importResultWords({ done: 0, total: 0, failed: 0, imported: 0 })).toBe(
      'This account has no assistants to import.',
    );
    // An import that ended before the count was kept.
    expect(importResultWords({ done: 4, total: 4, failed: 0, imported: null })).toBe(
      '4 of 4 assistants on this account are now in Switchboard; those already here were left as they were.',
    );
  });

  it('names an import by its connection', () => {
    expect(kindWords({ kind: 'import' }, 'Production')).toBe('Import from “Production”');
    expect(kindWords({ kind: 'import' }, undefined)).toBe('Import from a removed connection');
    expect(kindWords({ kind: 'bulk' }, 'Production')).toBe('Bulk change');
  });
});
