// Switchboard's fields to and from a Retell agent + Retell LLM, and Retell's rules checked before
// any call (SPEC section 13): pure functions, tables and properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import {
  comparableFields,
  modelProviderOf,
  RETELL_MODELS,
  retellChoices,
  voiceProviderOf,
} from '../../src/providers/retell/catalog.ts';
import {
  applyRetellChanges,
  assertRetellPatch,
  newRetellConfig,
  type RetellAssistant,
  retellChanges,
  retellFieldMap,
  retellFieldsOf,
  retellProblems,
  retellRestoreChanges,
  type SwitchboardPatch,
} from '../../src/providers/retell/mapping.ts';

/** An assistant as Retell answers it, with fields Switchboard does not model. */
const stored: RetellAssistant = {
  id: 'agent_1',
  agent: {
    agent_id: 'agent_1',
    version: 0,
    last_modification_timestamp: 1,
    agent_name: 'Front desk',
    voice_id: '11labs-Adrian',
    response_engine: { type: 'retell-llm', llm_id: 'llm_1' },
    webhook_url: 'https://example.com/hook',
    language: 'en-US',
  },
  llm: {
    llm_id: 'llm_1',
    version: 0,
    last_modification_timestamp: 1,
    model: 'gpt-5',
    model_temperature: 0.4,
    general_prompt: 'Be brief.',
    begin_message: 'Hello!',
    start_speaker: 'agent',
    general_tools: [{ type: 'end_call', name: 'end' }],
  },
};

describe('reading a Retell assistant in Switchboard’s terms', () => {
  it('maps each field and derives both providers', () => {
    expect(retellFieldsOf(stored)).toEqual({
      name: 'Front desk',
      firstMessage: 'Hello!',
      model: {
        provider: 'openai',
        model: 'gpt-5',
        temperature: 0.4,
        maxTokens: null,
        systemPrompt: 'Be brief.',
      },
      voice: { provider: '11labs', voiceId: '11labs-Adrian' },
      transcriber: null,
    });
  });

  it('shows a speech-to-speech LLM’s model, and nulls for what is unset', () => {
    const fields = retellFieldsOf({
      agent: { voice_id: 'custom_voice_x' },
      llm: { s2s_model: 'gpt-realtime' },
    });
    expect(fields.model).toMatchObject({ provider: 'openai', model: 'gpt-realtime', temperature: null });
    expect(fields.voice).toEqual({ provider: null, voiceId: 'custom_voice_x' });
    expect(fields.name).toBeNull();
  });

  it.each([
    ['gpt-5.6-terra', 'openai'],
    ['claude-4.5-haiku', 'anthropic'],
    ['gemini-3.1-flash-lite', 'google'],
    ['llama-4', undefined],
  ])('model %s is from %s', (model, provider) => expect(modelProviderOf(model)).toBe(provider));

  it.each([
    ['11labs-Adrian', '11labs'],
    ['cartesia-Cimo', 'cartesia'],
    ['retell-Cimo', 'retell'],
    ['openai-Alloy', 'openai'],
    ['minimax-Hailey', 'minimax'],
    ['Adrian', undefined],
    ['azure-Jenny', undefined],
  ])('voice %s is from %s', (voiceId, provider) => expect(voiceProviderOf(voiceId)).toBe(provider));
});

describe('a PATCH body as each object’s touched fields', () => {
  it.each<[string, SwitchboardPatch, ReturnType<typeof retellChanges>]>([
    ['name → agent only', { name: 'New' }, { agent: { agent_name: 'New' } }],
    ['voice → agent only', { voice: { voiceId: 'cartesia-Cimo' } }, { agent: { voice_id: 'cartesia-Cimo' } }],
    [
      'firstMessage → begin_message, the agent speaking first',
      { firstMessage: 'Hi there' },
      { llm: { begin_message: 'Hi there', start_speaker: 'agent' } },
    ],
    [
      'firstMessage null → the LLM writes the greeting',
      { firstMessage: null },
      { llm: { begin_message: null, start_speaker: 'agent' } },
    ],
    ['temperature → LLM only', { model: { temperature: 0.2 } }, { llm: { model_temperature: 0.2 } }],
    [
      'temperature null → Retell’s default, 0',
      { model: { temperature: null } },
      { llm: { model_temperature: 0 } },
    ],
    ['systemPrompt → general_prompt', { model: { systemPrompt: 'New' } }, { llm: { general_prompt: 'New' } }],
    [
      'a provider that agrees adds nothing',
      { model: { provider: 'openai' }, voice: { provider: '11labs' } },
      {},
    ],
    [
      'maxTokens null and transcriber null ask for nothing',
      { model: { maxTokens: null }, transcriber: null },
      {},
    ],
    [
      'both objects',
      { name: 'Both', model: { model: 'claude-5-sonnet', provider: 'anthropic' } },
      { agent: { agent_name: 'Both' }, llm: { model: 'claude-5-sonnet' } },
    ],
  ])('%s', (_, patch, changes) => {
    expect(retellProblems(stored, patch)).toEqual([]);
    expect(retellChanges(stored, patch)).toEqual(changes);
  });

  it('a new model on a speech-to-speech LLM clears s2s_model, since Retell takes one or the other', () => {
    const s2s = { ...stored, llm: { llm_id: 'llm_1', s2s_model: 'gpt-realtime', model: null } };
    expect(retellChanges(s2s, { model: { model: 'gpt-5' } })).toEqual({
      llm: { model: 'gpt-5', s2s_model: null },
    });
  });

  it('a create sends both objects, the agent speaking first even without a first message', () => {
    expect(
      newRetellConfig({
        name: 'New',
        model: { provider: 'openai', model: 'gpt-5', systemPrompt: 'Hi' },
        voice: { provider: 'retell', voiceId: 'retell-Cimo' },
      }),
    ).toEqual({
      agent: { agent_name: 'New', voice_id: 'retell-Cimo' },
      llm: { start_speaker: 'agent', model: 'gpt-5', general_prompt: 'Hi' },
    });
  });
});

describe('what Retell cannot hold is a 400 naming the field and Retell, before any call', () => {
  it.each<[string, SwitchboardPatch, string, RegExp]>([
    ['maxTokens', { model: { maxTokens: 500 } }, 'model.maxTokens', /^Retell cannot hold this field/],
    [
      'a transcriber',
      { transcriber: { provider: 'deepgram' } },
      'transcriber',
      /^Retell cannot hold this field/,
    ],
    [
      'temperature above 1',
      { model: { temperature: 1.5 } },
      'model.temperature',
      /^must be from 0 to 1 for Retell$/,
    ],
    ['temperature below 0', { model: { temperature: -0.1 } }, 'model.temperature', /for Retell$/],
    [
      'a model not in Retell’s list',
      { model: { model: 'gpt-4o' } },
      'model.model',
      /not one of Retell's models/,
    ],
    [
      'a model provider that contradicts the new model',
      { model: { provider: 'anthropic', model: 'gpt-5' } },
      'model.provider',
      /"anthropic" contradicts the model "gpt-5", whose provider is openai: Retell derives/,
    ],
    [
      'a model provider that contradicts the stored model',
      { model: { provider: 'anthropic' } },
      'model.provider',
      /contradicts the model "gpt-5"/,
    ],
    [
      'a voice id without a Retell prefix',
      { voice: { voiceId: 'burt' } },
      'voice.voiceId',
      /not a Retell voice id/,
    ],
    [
      'a voice provider that contradicts the voice id',
      { voice: { provider: 'cartesia' } },
      'voice.provider',
      /"cartesia" contradicts the voice id "11labs-Adrian", whose provider is 11labs/,
    ],
  ])('%s', (_, patch, field, message) => {
    const problems = retellProblems(stored, patch);
    expect(problems).toEqual([{ field, message: expect.stringMatching(message) }]);
    expect(`${problems[0]?.field}: ${problems[0]?.message}`).toContain('Retell');
    const error = (() => {
      try {
        assertRetellPatch(stored, patch);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ statusCode: 400, code: 'validation_failed', details: problems });
    expect((error as AppError).message).toContain(field);
  });

  it('names every problem at once', () => {
    const problems = retellProblems(stored, {
      model: { maxTokens: 100, temperature: 2 },
      transcriber: { provider: 'x' },
    });
    expect(problems.map((p) => p.field).sort()).toEqual([
      'model.maxTokens',
      'model.temperature',
      'transcriber',
    ]);
  });

  it('a create without a stored assistant checks the request alone', () => {
    expect(retellProblems(undefined, { model: { provider: 'google' } })).toEqual([]);
    expect(retellProblems(undefined, { model: { provider: 'vapi' } })).toEqual([
      { field: 'model.provider', message: expect.stringContaining("not one of Retell's model providers") },
    ]);
  });
});

describe('restoring a version', () => {
  it('sends each object the keys that differ, null for keys the version lacks, never the engine', () => {
    const later = applyRetellChanges(stored, {
      agent: {
        agent_name: 'Later',
        response_engine: { type: 'retell-llm', llm_id: 'llm_2' },
        ambient_sound: 'coffee-shop',
      },
      llm: { model_temperature: 0.9 },
    });
    expect(retellRestoreChanges(later, stored)).toEqual({
      agent: { agent_name: 'Front desk', ambient_sound: null },
      llm: { model_temperature: 0.4 },
    });
    expect(retellRestoreChanges(stored, stored)).toEqual({});
  });

  it('compares versions without the timestamps Retell moves on every change', () => {
    const touched = { ...stored, llm: { ...stored.llm, last_modification_timestamp: 99 } };
    expect(comparableFields(touched)).toEqual(comparableFields(stored));
  });
});

describe('the field map the PATCH path will call for any provider', () => {
  it('answers for a stored Retell configuration as the functions above do', () => {
    const patch: SwitchboardPatch = { name: 'Mapped', model: { temperature: 0.5, maxTokens: 200 } };
    expect(retellFieldMap.problems(stored, patch)).toEqual(retellProblems(stored, patch));
    expect(retellFieldMap.problems(undefined, { model: { maxTokens: 1 } })).toHaveLength(1);
    expect(retellFieldMap.changes(stored, { name: 'Mapped' })).toEqual({ agent: { agent_name: 'Mapped' } });
    expect(retellFieldMap.fieldsOf(stored)).toEqual(retellFieldsOf(stored));
    expect(retellFieldMap.newConfig({ name: 'N' })).toEqual(newRetellConfig({ name: 'N' }));
    expect(retellFieldMap.restoreChanges(stored, stored)).toEqual({});
    expect(retellFieldMap.comparable(stored)).toEqual(comparableFields(stored));
    expect(retellFieldMap.unheldFields).toEqual(['model.maxTokens', 'transcriber']);
  });

  it('reads a damaged copy without either object as empty fields, not a crash', () => {
    expect(retellFieldMap.fieldsOf({ id: 'agent_x' })).toMatchObject({ name: null, model: { model: null } });
  });
});

describe('the catalog a form can offer', () => {
  it('lists every Retell model once, under the provider derived from it, and 0–1 temperatures', () => {
    const choices = retellChoices();
    const offered = choices.modelProviders.flatMap((p) =>
      p.modelGroups.flatMap((g) => g.models.map((model) => [p.id, model] as const)),
    );
    expect(offered.map(([, model]) => model).sort()).toEqual([...RETELL_MODELS].sort());
    for (const [provider, model] of offered) expect(modelProviderOf(model)).toBe(provider);
    for (const provider of choices.modelProviders)
      expect(provider.temperature).toEqual({ minimum: 0, maximum: 1 });
    expect(choices.unheldFields).toEqual(['model.maxTokens', 'transcriber']);
    expect(choices.voiceProviders.find((v) => v.id === '11labs')?.exampleVoiceIds).toEqual(['11labs-Adrian']);
  });
});

// Properties: any request Retell can hold survives the trip to Retell and back, and nothing else moves.
const voiceIds = fc
  .tuple(
    fc.constantFrom('11labs', 'cartesia', 'minimax', 'openai', 'retell'),
    fc.stringMatching(/^[A-Za-z]{1,8}$/),
  )
  .map(([prefix, name]) => `${prefix}-${name}`);

const validPatch: fc.Arbitrary<SwitchboardPatch> = fc.record(
  {
    name: fc.string({ minLength: 1, maxLength: 40 }),
    firstMessage: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
    model: fc.record(
      {
        model: fc.constantFrom(...RETELL_MODELS),
        temperature: fc.double({ min: 0, max: 1, noNaN: true }),
        systemPrompt: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      },
      { requiredKeys: [] },
    ),
    voice: fc.record({ voiceId: voiceIds }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

/** Native keys Switchboard does not model, on either object. */
const unknownFields = fc.dictionary(
  fc.stringMatching(/^x_[a-z]{1,6}$/),
  fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
);

/** The stored assistant with unmodelled keys added to both objects. */
const withUnknownFields = fc.tuple(unknownFields, unknownFields).map(([agentExtra, llmExtra]) => ({
  agentExtra,
  llmExtra,
  current: { ...stored, agent: { ...stored.agent, ...agentExtra }, llm: { ...stored.llm, ...llmExtra } },
}));

describe('properties', () => {
  it('to native and back keeps every field the request set, and derives both providers', () => {
    fc.assert(
      fc.property(validPatch, withUnknownFields, (patch, { current }) => {
        expect(retellProblems(current, patch)).toEqual([]);
        const fields = retellFieldsOf(applyRetellChanges(current, retellChanges(current, patch)));
        const before = retellFieldsOf(current);
        expect(fields.name).toBe(patch.name ?? before.name);
        expect(fields.firstMessage).toBe(
          patch.firstMessage !== undefined ? patch.firstMessage : before.firstMessage,
        );
        expect(fields.model.model).toBe(patch.model?.model ?? before.model.model);
        expect(fields.model.provider).toBe(modelProviderOf(fields.model.model ?? ''));
        expect(fields.model.temperature).toBe(patch.model?.temperature ?? before.model.temperature);
        expect(fields.model.systemPrompt).toBe(
          patch.model?.systemPrompt !== undefined ? patch.model.systemPrompt : before.model.systemPrompt,
        );
        expect(fields.voice.voiceId).toBe(patch.voice?.voiceId ?? before.voice.voiceId);
        expect(fields.voice.provider).toBe(fields.voice.voiceId?.split('-')[0]);
      }),
    );
  });

  it('a change touches only the mapped keys; every field Switchboard does not model is kept', () => {
    fc.assert(
      fc.property(validPatch, withUnknownFields, (patch, { current, agentExtra, llmExtra }) => {
        const changes = retellChanges(current, patch);
        expect(
          Object.keys(changes.agent ?? {}).every((key) => ['agent_name', 'voice_id'].includes(key)),
        ).toBe(true);
        const llmKeys = [
          'begin_message',
          'start_speaker',
          'model',
          's2s_model',
          'model_temperature',
          'general_prompt',
        ];
        expect(Object.keys(changes.llm ?? {}).every((key) => llmKeys.includes(key))).toBe(true);
        const after = applyRetellChanges(current, changes);
        for (const [key, value] of Object.entries(agentExtra)) expect(after.agent[key]).toEqual(value);
        for (const [key, value] of Object.entries(llmExtra)) expect(after.llm[key]).toEqual(value);
        expect(after.agent.webhook_url).toBe(stored.agent.webhook_url);
        expect(after.llm.general_tools).toEqual(stored.llm.general_tools);
        expect(after.agent.response_engine).toEqual(stored.agent.response_engine);
      }),
    );
  });

  it('a temperature outside 0–1 is always refused, naming model.temperature and Retell', () => {
    const outside = fc.oneof(
      fc.double({ max: -Number.EPSILON, noNaN: true }),
      fc.double({ min: 1.000001, noNaN: true }),
    );
    fc.assert(
      fc.property(outside, (temperature) => {
        expect(retellProblems(stored, { model: { temperature } })).toEqual([
          { field: 'model.temperature', message: 'must be from 0 to 1 for Retell' },
        ]);
      }),
    );
  });

  it('a restore to any earlier state gets back exactly its writable fields', () => {
    fc.assert(
      fc.property(validPatch, validPatch, (first, second) => {
        const target = applyRetellChanges(stored, retellChanges(stored, first));
        const later = applyRetellChanges(target, retellChanges(target, second));
        const restored = applyRetellChanges(later, retellRestoreChanges(later, target));
        const withoutNulls = (fields: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
        expect(withoutNulls(comparableFields(restored).agent)).toEqual(
          withoutNulls(comparableFields(target).agent),
        );
        expect(withoutNulls(comparableFields(restored).llm)).toEqual(
          withoutNulls(comparableFields(target).llm),
        );
      }),
    );
  });
});
