// SPEC section 4, line by line: PATCH /assistants/{id} against the real app, database and emulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { RICH_PROVIDER_ASSISTANT, seedProviderAssistant } from '../helpers/seed.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let assistant: { id: string; providerAssistantId: string };

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(async () => {
  t.emulator.faults = noFaults();
  assistant = await seedProviderAssistant(t);
});

const patch = (body: unknown, id = assistant.id, headers?: Record<string, string>) =>
  t.request(t.owner.cookie, 'PATCH', `/assistants/${id}`, body, headers);
const stored = async () => (await t.request(t.owner.cookie, 'GET', `/assistants/${assistant.id}`)).json();
const atProvider = () => t.emulator.assistants.get(assistant.providerAssistantId) as Record<string, any>;
const providerPatches = () => t.emulator.received('PATCH');

describe('merge', () => {
  it('changes only model.temperature and keeps the system prompt, tools and unknown fields', async () => {
    const res = await patch({ model: { temperature: 0.2 } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.model).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      temperature: 0.2,
      maxTokens: 300,
      systemPrompt: 'You are a careful support agent.',
    });
    for (const config of [body.providerConfig, (await stored()).providerConfig, atProvider()]) {
      expect(config.model).toEqual({ ...RICH_PROVIDER_ASSISTANT.model, temperature: 0.2 });
      expect(config.metadata).toEqual(RICH_PROVIDER_ASSISTANT.metadata);
      expect(config.endCallFunctionEnabled).toBe(true);
      expect(config.voice).toEqual(RICH_PROVIDER_ASSISTANT.voice);
    }
  });

  it('sends the provider the complete merged model, and only the keys the request touched', async () => {
    await patch({ model: { temperature: 0.3 } });
    const sent = providerPatches();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.path).toBe(`/assistant/${assistant.providerAssistantId}`);
    expect(sent[0]?.body).toEqual({ model: { ...RICH_PROVIDER_ASSISTANT.model, temperature: 0.3 } });
  });

  it('merges voice and transcriber field by field', async () => {
    const res = await patch({ voice: { voiceId: 'sarah' }, transcriber: { model: 'nova-2' } });
    expect(res.statusCode).toBe(200);
    expect(atProvider().voice).toEqual({ provider: '11labs', voiceId: 'sarah', stability: 0.4 });
    expect(atProvider().transcriber).toEqual({ provider: 'deepgram', model: 'nova-2', language: 'en' });
  });

  it('replaces the system prompt inside model.messages and keeps the other messages', async () => {
    await patch({ model: { systemPrompt: 'New prompt.' } });
    expect(atProvider().model.messages).toEqual([
      { role: 'system', content: 'New prompt.' },
      { role: 'assistant', content: 'Example greeting.' },
    ]);
  });

  it('null clears optional fields', async () => {
    const res = await patch({
      firstMessage: null,
      model: { temperature: null, systemPrompt: null },
      transcriber: null,
    });
    expect(res.statusCode).toBe(200);
    const provider = atProvider();
    expect(provider.firstMessage).toBeUndefined();
    expect(provider.transcriber).toBeUndefined();
    expect(provider.model.temperature).toBeUndefined();
    expect(provider.model.messages).toEqual([{ role: 'assistant', content: 'Example greeting.' }]);
    expect(res.json()).toMatchObject({
      firstMessage: null,
      transcriber: null,
      model: { temperature: null, systemPrompt: null },
    });
  });

  it.each([
    [{ name: null }, 'name'],
    [{ model: { provider: null } }, 'model.provider'],
    [{ model: { model: null } }, 'model.model'],
    [{ voice: { provider: null } }, 'voice.provider'],
    [{ voice: { voiceId: null } }, 'voice.voiceId'],
    [{ transcriber: { provider: null } }, 'transcriber.provider'],
  ])('null for a required field is a 400 naming it: %j', async (body, field) => {
    const res = await patch(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toContainEqual({ field, message: 'cannot be null' });
    expect(providerPatches()).toHaveLength(0);
  });

  it('changing model.provider needs model.model in the same request', async () => {
    const without = await patch({ model: { provider: 'anthropic' } });
    expect(without.statusCode).toBe(400);
    expect(without.json().details).toEqual([
      { field: 'model.model', message: 'is required when model.provider changes' },
    ]);
    expect(providerPatches()).toHaveLength(0);

    const withModel = await patch({ model: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' } });
    expect(withModel.statusCode).toBe(200);
    // The prompt and tools move over; nothing the new provider would reject is sent.
    expect(atProvider().model).toEqual({
      ...RICH_PROVIDER_ASSISTANT.model,
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
    });
  });

  it('an empty body changes nothing and returns the assistant', async () => {
    const before = await stored();
    const res = await patch({});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(before);
    expect(providerPatches()).toHaveLength(0);
  });

  it('a patch that sets the current values makes no provider call and no new version', async () => {
    const res = await patch({ name: RICH_PROVIDER_ASSISTANT.name, model: { temperature: 0.5 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().version).toBe(1);
    expect(providerPatches()).toHaveLength(0);
  });
});

describe('validation before any provider call', () => {
  it.each([
    [{ colour: 'red' }, 'colour', 'is not a known field'],
    [{ model: { messages: [] } }, 'model.messages', 'is not a known field'],
    [{ voice: { stability: 1 } }, 'voice.stability', 'is not a known field'],
    [{ name: '' }, 'name', 'must not be empty'],
    [{ name: 'x'.repeat(41) }, 'name', 'must be at most 40 characters'],
    [{ model: { temperature: 2.01 } }, 'model.temperature', 'must be at most 2'],
    [{ model: { temperature: -0.1 } }, 'model.temperature', 'must be at least 0'],
    [{ model: { temperature: '0.5' } }, 'model.temperature', 'must be number'],
    [{ model: { maxTokens: 49 } }, 'model.maxTokens', 'must be at least 50'],
    [{ model: { maxTokens: 10001 } }, 'model.maxTokens', 'must be at most 10000'],
    [{ model: { maxTokens: 100.5 } }, 'model.maxTokens', 'must be integer'],
    [{ model: { provider: 'groq', model: 'x' } }, 'model.provider', 'must be one of openai, anthropic'],
  ])('%j is a 400 naming %s', async (body, field, message) => {
    const res = await patch(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed' });
    expect(res.json().details).toContainEqual({ field, message });
    expect(res.json().message).toContain(field);
    expect(providerPatches()).toHaveLength(0);
  });

  it('checks provider names and models against the provider’s own lists', async () => {
    const voice = await patch({ voice: { provider: 'acme-voices' } });
    expect(voice.statusCode).toBe(400);
    expect(voice.json().details[0].field).toBe('voice.provider');

    const model = await patch({ model: { model: 'gpt-imaginary' } });
    expect(model.statusCode).toBe(400);
    expect(model.json().details[0]).toMatchObject({ field: 'model.model' });
    expect(model.json().details[0].message).toContain("openai's models");

    const transcriber = await patch({ transcriber: { provider: 'openai', model: null } });
    expect(transcriber.statusCode).toBe(400);
    expect(transcriber.json().details).toContainEqual({
      field: 'transcriber.model',
      message: 'is required by transcriber provider openai',
    });
    expect(providerPatches()).toHaveLength(0);
  });

  it('one 400 names every problem', async () => {
    const res = await patch({ name: '', model: { temperature: 9, maxTokens: 1 }, extra: true });
    expect(res.statusCode).toBe(400);
    const fields = res.json().details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'model.temperature', 'model.maxTokens', 'extra']));
  });

  it('a body that is not JSON, or not an object, is a 4xx envelope', async () => {
    const text = await t.app.inject({
      method: 'PATCH',
      url: `/assistants/${assistant.id}`,
      headers: { cookie: t.owner.cookie, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ code: 'invalid_json' });
    const array = await patch([1, 2]);
    expect(array.statusCode).toBe(400);
    expect(array.json().message).toContain('body');
    expect(providerPatches()).toHaveLength(0);
  });
});

describe('order: provider first, then the database', () => {
  it('stores the provider’s answer and bumps the version by one', async () => {
    const res = await patch({ name: 'Renamed' });
    expect(res.statusCode).toBe(200);
    expect(res.json().version).toBe(2);
    expect(res.json().providerConfig).toEqual(atProvider());
    expect((await stored()).version).toBe(2);
  });

  it('a provider validation refusal is a 400 with the provider’s messages, and nothing is stored', async () => {
    const before = await stored();
    t.emulator.faults.failures = [
      {
        status: 400,
        times: 1,
        method: 'PATCH',
        message: ['model.property foo should not exist', 'name must be a string'],
      },
    ];
    const res = await patch({ name: 'Refused' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'provider_validation' });
    expect(res.json().message).toContain('model.property foo should not exist');
    expect(res.json().details).toContainEqual({
      field: 'model.foo',
      message: 'model.property foo should not exist',
    });
    expect(await stored()).toEqual(before);
  });

  it('a provider failure is a 500 with a code; nothing is stored, and the assistant is pending until read back', async () => {
    const before = await stored();
    t.emulator.faults.failures = [{ status: 500, times: 10, method: 'PATCH' }];
    const res = await patch({ model: { temperature: 1.5 } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'provider_error' });
    expect(res.json().message).toContain('HTTP 500');
    // A 5xx may come after the provider applied the change, so it is not called "synced".
    expect(await stored()).toEqual({ ...before, syncState: 'pending' });
    t.emulator.faults.failures = [];
    const synced = await t.request(t.owner.cookie, 'POST', `/assistants/${assistant.id}/sync`);
    expect(synced.json()).toEqual({ ...before, syncState: 'synced' });
  });

  it('an assistant the provider no longer has is a 404 with code provider_not_found', async () => {
    t.emulator.assistants.delete(assistant.providerAssistantId);
    const res = await patch({ name: 'Gone' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'provider_not_found' });
    expect(t.emulator.received('POST')).toHaveLength(0); // never re-created because an update failed
  });
});

describe('identity and conditions', () => {
  it('accepts the provider’s assistant id in place of the local id', async () => {
    const res = await patch({ name: 'By provider id' }, assistant.providerAssistantId);
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(assistant.id);
    expect(atProvider().name).toBe('By provider id');
  });

  it('If-Match with the current ETag updates; a stale one is a 412 and changes nothing', async () => {
    const first = await t.request(t.owner.cookie, 'GET', `/assistants/${assistant.id}`);
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const ok = await patch({ name: 'First' }, assistant.id, { 'if-match': etag });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).not.toBe(etag);

    const stale = await patch({ name: 'Second' }, assistant.id, { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'precondition_failed' });
    expect(atProvider().name).toBe('First');
    expect(providerPatches()).toHaveLength(1);
  });

  it('concurrent updates of different model fields all land, in the database and at the provider', async () => {
    t.emulator.faults.latencyMs = 20;
    const results = await Promise.all([
      patch({ model: { temperature: 1.1 } }),
      patch({ model: { maxTokens: 777 } }),
      patch({ model: { systemPrompt: 'Concurrent prompt.' } }),
      patch({ name: 'Concurrent' }),
      patch({ voice: { voiceId: 'sarah' } }),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const final = await stored();
    expect(final.version).toBe(6);
    for (const config of [final.providerConfig, atProvider()]) {
      expect(config.model).toMatchObject({ temperature: 1.1, maxTokens: 777 });
      expect(config.model.messages[0]).toEqual({ role: 'system', content: 'Concurrent prompt.' });
      expect(config.model.tools).toEqual(RICH_PROVIDER_ASSISTANT.model.tools);
      expect(config.name).toBe('Concurrent');
      expect(config.voice.voiceId).toBe('sarah');
    }
  });
});
