import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssistantPatch } from '../../src/assistants/schemas.ts';
import {
  mergeAssistantPatch,
  providerChanges,
  systemPromptOf,
  touchedKeys,
} from '../../src/providers/vapi/mapping.ts';
import { changedPaths } from '../../src/shared/objects.ts';

const stored = {
  id: 'p-1',
  name: 'Support',
  firstMessage: 'Hi',
  model: {
    provider: 'openai',
    model: 'gpt-4o',
    temperature: 0.5,
    messages: [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Example' },
    ],
    tools: [{ type: 'endCall' }],
    toolStrictCompatibilityMode: 'strip-parameters-with-unsupported-validation',
  },
  voice: { provider: '11labs', voiceId: 'burt', stability: 0.3 },
  metadata: { a: 1 },
};

describe('mergeAssistantPatch', () => {
  it('merges nested fields one by one and keeps everything else', () => {
    const next = mergeAssistantPatch(stored, { model: { maxTokens: 400 } });
    expect(next).toEqual({ ...stored, model: { ...stored.model, maxTokens: 400 } });
  });

  it('does not change its input', () => {
    const copy = structuredClone(stored);
    mergeAssistantPatch(stored, { model: { temperature: 1, systemPrompt: 'x' }, voice: { voiceId: 'y' } });
    expect(stored).toEqual(copy);
  });

  it('adds a system message when there is none', () => {
    const next = mergeAssistantPatch(
      { model: { provider: 'openai', model: 'gpt-4o' } },
      { model: { systemPrompt: 'New' } },
    );
    expect(next.model).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      messages: [{ role: 'system', content: 'New' }],
    });
    expect(systemPromptOf(next.model)).toBe('New');
  });

  it('drops fields the new provider does not accept when the provider changes', () => {
    const next = mergeAssistantPatch(stored, {
      model: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
    });
    expect(next.model).not.toHaveProperty('toolStrictCompatibilityMode');
    expect(next.model).toMatchObject({
      messages: stored.model.messages,
      tools: stored.model.tools,
      temperature: 0.5,
    });
    const voice = mergeAssistantPatch(stored, { voice: { provider: 'openai', voiceId: 'alloy' } });
    expect(voice.voice).toEqual({ provider: 'openai', voiceId: 'alloy' });
  });

  it('touchedKeys and providerChanges send each touched key whole', () => {
    const patch: AssistantPatch = { model: { temperature: 0.1 }, transcriber: null };
    const next = mergeAssistantPatch(stored, patch);
    expect(touchedKeys(patch)).toEqual(['model', 'transcriber']);
    expect(providerChanges(next, touchedKeys(patch))).toEqual({
      model: { ...stored.model, temperature: 0.1 },
      transcriber: null,
    });
  });

  it('changedPaths names nested changes, additions and removals', () => {
    expect(
      changedPaths(stored, mergeAssistantPatch(stored, { model: { temperature: 1 }, firstMessage: null })),
    ).toEqual(['firstMessage', 'model.temperature']);
    expect(changedPaths(stored, stored)).toEqual([]);
    expect(changedPaths(stored, mergeAssistantPatch(stored, { model: { systemPrompt: 'Other' } }))).toEqual([
      'model.messages',
    ]);
  });
});

// A reference model of the merge for the property test: each field is set, cleared or left alone.
const modelPatch = fc.record(
  {
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: null }),
    maxTokens: fc.option(fc.integer({ min: 50, max: 10_000 }), { nil: null }),
    systemPrompt: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
  },
  { requiredKeys: [] },
);
const patchArb = fc.record(
  {
    name: fc.string({ minLength: 1, maxLength: 40 }),
    firstMessage: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
    model: modelPatch,
    voice: fc.record({ voiceId: fc.constantFrom('burt', 'sarah', 'paula') }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<AssistantPatch>;

describe('property: a sequence of partial updates', () => {
  it('equals the last value written to each field, and never loses an unmodelled field', () => {
    fc.assert(
      fc.property(fc.array(patchArb, { maxLength: 12 }), (patches) => {
        let config: Record<string, any> = structuredClone(stored);
        const expected: Record<string, unknown> = {
          name: stored.name,
          firstMessage: stored.firstMessage,
          temperature: stored.model.temperature,
          maxTokens: undefined,
          systemPrompt: 'Be kind.',
          voiceId: stored.voice.voiceId,
        };
        for (const patch of patches) {
          config = mergeAssistantPatch(config, patch);
          if (patch.name !== undefined) expected.name = patch.name;
          if (patch.firstMessage !== undefined) expected.firstMessage = patch.firstMessage;
          for (const key of ['temperature', 'maxTokens', 'systemPrompt'] as const) {
            const value = patch.model?.[key];
            if (value !== undefined) expected[key] = value ?? (key === 'systemPrompt' ? null : undefined);
          }
          if (patch.voice?.voiceId !== undefined) expected.voiceId = patch.voice.voiceId;
        }
        expect(config.name).toBe(expected.name);
        expect(config.firstMessage).toBe(expected.firstMessage);
        expect(config.model.temperature).toBe(expected.temperature);
        expect(config.model.maxTokens).toBe(expected.maxTokens);
        expect(systemPromptOf(config.model)).toBe(expected.systemPrompt);
        expect(config.voice.voiceId).toBe(expected.voiceId);
        // What no patch can touch survives every merge.
        expect(config.id).toBe(stored.id);
        expect(config.metadata).toEqual(stored.metadata);
        expect(config.model.tools).toEqual(stored.model.tools);
        expect(config.model.toolStrictCompatibilityMode).toBe(stored.model.toolStrictCompatibilityMode);
        expect(config.model.messages).toContainEqual({ role: 'user', content: 'Example' });
        expect(config.voice.stability).toBe(stored.voice.stability);
      }),
      { numRuns: 500 },
    );
  });
});
