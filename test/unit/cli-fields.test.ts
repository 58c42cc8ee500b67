import { describe, expect, it } from 'vitest';
import type { Assistant } from '../../src/cli/api.ts';
import {
  createBodyOf,
  FIELD_PATHS,
  type FieldValues,
  fieldsHash,
  fieldValuesOf,
  patchBetween,
} from '../../src/cli/fields.ts';

const server: FieldValues = {
  name: 'Support',
  'model.provider': 'openai',
  'model.model': 'gpt-4o',
  'model.temperature': 0.7,
  'model.systemPrompt': 'Be kind.\nBe brief.',
  'voice.provider': 'openai',
  'voice.voiceId': 'alloy',
  'transcriber.provider': 'deepgram',
  'transcriber.model': 'nova-3',
};

describe('the editable fields', () => {
  it('are the create body’s fields, flat', () => {
    expect(FIELD_PATHS).toEqual([
      'name',
      'firstMessage',
      'model.provider',
      'model.model',
      'model.temperature',
      'model.maxTokens',
      'model.systemPrompt',
      'voice.provider',
      'voice.voiceId',
      'transcriber.provider',
      'transcriber.model',
    ]);
  });

  it('read from an assistant leave out what is not set', () => {
    const assistant = {
      name: 'Support',
      firstMessage: null,
      model: { provider: 'openai', model: 'gpt-4o', temperature: null, maxTokens: 300, systemPrompt: null },
      voice: { provider: 'openai', voiceId: 'alloy' },
      transcriber: null,
      providerConfig: { model: { messages: [] } },
    } as unknown as Assistant;
    expect(fieldValuesOf(assistant)).toEqual({
      name: 'Support',
      'model.provider': 'openai',
      'model.model': 'gpt-4o',
      'model.maxTokens': 300,
      'voice.provider': 'openai',
      'voice.voiceId': 'alloy',
    });
  });
});

describe('patchBetween', () => {
  it('sends only the changed fields, so the system prompt is left alone', () => {
    expect(patchBetween(server, { ...server, 'model.temperature': 0.2 })).toEqual({
      model: { temperature: 0.2 },
    });
  });

  it('is undefined when nothing changed', () => {
    expect(patchBetween(server, { ...server })).toBeUndefined();
  });

  it('clears with null a field the file no longer has, and a whole transcriber', () => {
    const { 'model.temperature': _, 'transcriber.provider': __, 'transcriber.model': ___, ...local } = server;
    expect(patchBetween(server, local)).toEqual({ model: { temperature: null }, transcriber: null });
  });

  it('sends the model along with a new model provider, as the API requires', () => {
    expect(patchBetween(server, { ...server, 'model.provider': 'anthropic' })).toEqual({
      model: { provider: 'anthropic', model: 'gpt-4o' },
    });
  });
});

describe('createBodyOf and fieldsHash', () => {
  it('nests the fields and adds the connection when one is chosen', () => {
    const body = createBodyOf({ name: 'A', 'model.provider': 'openai', 'model.model': 'gpt-4o' }, 'conn-1');
    expect(body).toEqual({
      connectionId: 'conn-1',
      name: 'A',
      model: { provider: 'openai', model: 'gpt-4o' },
    });
    expect(createBodyOf({ name: 'A' })).toEqual({ name: 'A' });
  });

  it('one fingerprint per set of values, whatever the order they were read in', () => {
    const reordered = Object.fromEntries(Object.entries(server).reverse()) as FieldValues;
    expect(fieldsHash(reordered)).toBe(fieldsHash(server));
    expect(fieldsHash({ ...server, 'model.temperature': 0.3 })).not.toBe(fieldsHash(server));
  });
});
