// The dashboard's words for history: field paths as the form names them, the side-by-side diff of
// two versions, and a user's edits put back on a fresher copy after a 412.
import { describe, expect, it } from 'vitest';
import { SERVER_SET_KEYS } from '../../src/providers/vapi/catalog.ts';
import { EMPTY_FORM, editedFields, type FormValues, reapplyEdits } from '../../web/src/assistant-form.ts';
import { changesInWords, fieldWords } from '../../web/src/field-words.ts';
import { configDiff } from '../../web/src/version-diff.ts';

/** What GET /providers says Vapi sets itself. */
const VAPI_SET = new Set(SERVER_SET_KEYS);

describe('fieldWords', () => {
  it.each([
    ['model.messages', 'System prompt'],
    ['model.temperature', 'Temperature'],
    ['model.maxTokens', 'Max tokens'],
    ['voice.voiceId', 'Voice'],
    ['firstMessage', 'First message'],
    ['maxDurationSeconds', 'Max duration seconds'],
    ['voice.speed', 'Voice: speed'],
    ['model.knowledgeBase.fileIds', 'Model: knowledge base › file ids'],
    ['backgroundSound', 'Background sound'],
  ])('%s → %s', (path, words) => {
    expect(fieldWords(path)).toBe(words);
  });

  it('names each field once, in the order given', () => {
    expect(changesInWords(['model.messages', 'model.systemPrompt', 'name'])).toBe('System prompt, Name');
  });
});

describe('configDiff', () => {
  const v1 = {
    id: 'a1',
    updatedAt: '2026-01-01T00:00:00Z',
    name: 'Reception',
    model: {
      provider: 'openai',
      model: 'gpt-4o',
      temperature: 0.7,
      messages: [{ role: 'system', content: 'Be kind.' }],
    },
    voice: { provider: '11labs', voiceId: 'burt' },
  };

  it('lists only what differs, in the form’s order and words, ignoring what the provider sets', () => {
    const v2 = {
      ...v1,
      id: 'a1',
      updatedAt: '2026-02-01T00:00:00Z',
      name: 'Front desk',
      model: { ...v1.model, temperature: 0.3, messages: [{ role: 'system', content: 'Be brief.' }] },
      backgroundSound: 'office',
    };
    expect(configDiff(v1, v2, VAPI_SET)).toEqual([
      { path: 'name', label: 'Name', before: 'Reception', after: 'Front desk' },
      { path: 'model.temperature', label: 'Temperature', before: '0.7', after: '0.3' },
      { path: 'model.messages', label: 'System prompt', before: 'Be kind.', after: 'Be brief.' },
      { path: 'backgroundSound', label: 'Background sound', before: '', after: 'office' },
    ]);
  });

  it('leaves out nested paths the provider sets (a Retell agent and its LLM)', () => {
    const before = {
      id: 'ag1',
      agent: { agent_name: 'Desk', version: 3 },
      llm: { model: 'gpt-4.1', version: 3 },
    };
    const after = {
      id: 'ag1',
      agent: { agent_name: 'Front', version: 4 },
      llm: { model: 'gpt-4.1', version: 4 },
    };
    const retellSet = new Set(['id', 'agent.version', 'llm.version']);
    expect(configDiff(before, after, retellSet).map((c) => c.path)).toEqual(['agent.agent_name']);
    expect(configDiff(before, after).map((c) => c.path)).toContain('llm.version');
  });

  it('is empty for the same configuration, and shows every field of a first version', () => {
    expect(configDiff(v1, structuredClone(v1), VAPI_SET)).toEqual([]);
    expect(configDiff(null, v1, VAPI_SET).map((c) => c.label)).toEqual([
      'Name',
      'Model provider',
      'Model',
      'Temperature',
      'System prompt',
      'Voice provider',
      'Voice',
    ]);
  });

  it('shows a removed field as empty, and other lists as JSON', () => {
    const tools = [{ type: 'endCall' }];
    const [change] = configDiff({ ...v1, model: { ...v1.model, tools } }, v1, VAPI_SET);
    expect(change).toMatchObject({ path: 'model.tools', label: 'Tools', after: '' });
    expect(JSON.parse(change?.before ?? '')).toEqual(tools);
  });
});

describe('reapplyEdits', () => {
  const base: FormValues = { ...EMPTY_FORM, name: 'Reception', temperature: '0.7', voiceId: 'burt' };

  it('keeps the user’s edits on the fresh copy, and says where someone else changed the same field', () => {
    const mine = { ...base, temperature: '0.2', name: 'Mine' };
    const fresh = { ...base, name: 'Theirs', voiceId: 'sarah' };
    const { values, edited, overlapping } = reapplyEdits(base, mine, fresh);
    expect(values).toEqual({ ...base, name: 'Mine', temperature: '0.2', voiceId: 'sarah' });
    expect(edited).toEqual(['name', 'temperature']);
    expect(overlapping).toEqual(['name']);
    expect(editedFields(fresh, values)).toEqual(['name', 'temperature']);
  });

  it('reports no overlap when both made the same change', () => {
    const mine = { ...base, name: 'Same' };
    expect(reapplyEdits(base, mine, { ...base, name: 'Same' }).overlapping).toEqual([]);
  });
});
