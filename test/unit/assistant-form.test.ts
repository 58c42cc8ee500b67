// The dashboard's form rules: a save sends only what changed, and 400s land at their fields.
import { describe, expect, it } from 'vitest';
import {
  createBody,
  EMPTY_FORM,
  type FormValues,
  patchBody,
  problemsByField,
} from '../../web/src/assistant-form.ts';

const loaded: FormValues = {
  ...EMPTY_FORM,
  name: 'Reception',
  firstMessage: 'Hello',
  temperature: '0.7',
  maxTokens: '300',
  systemPrompt: 'Be kind.',
  voiceId: 'burt',
  transcriberProvider: 'deepgram',
  transcriberModel: 'nova-3',
};

describe('patchBody', () => {
  it('is empty when nothing changed', () => {
    expect(patchBody(loaded, { ...loaded })).toEqual({});
  });

  it('sends only the changed nested fields, with numbers as numbers', () => {
    expect(patchBody(loaded, { ...loaded, temperature: '0.3', systemPrompt: 'New.' })).toEqual({
      model: { temperature: 0.3, systemPrompt: 'New.' },
    });
    expect(patchBody(loaded, { ...loaded, voiceId: 'sarah', name: 'Front' })).toEqual({
      name: 'Front',
      voice: { voiceId: 'sarah' },
    });
  });

  it('clears an emptied optional field with null', () => {
    expect(patchBody(loaded, { ...loaded, firstMessage: '', maxTokens: '' })).toEqual({
      firstMessage: null,
      model: { maxTokens: null },
    });
    expect(patchBody(loaded, { ...loaded, transcriberProvider: '' })).toEqual({ transcriber: null });
  });

  it('sends the model with a changed provider, as the API requires', () => {
    expect(
      patchBody(loaded, { ...loaded, modelProvider: 'anthropic', model: 'claude-sonnet-4-20250514' }),
    ).toEqual({
      model: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
    });
  });

  it('passes text that is not a number on, so the API can name the problem', () => {
    expect(patchBody(loaded, { ...loaded, temperature: 'warm' })).toEqual({ model: { temperature: 'warm' } });
  });
});

describe('createBody and problemsByField', () => {
  it('leaves out empty optional fields', () => {
    expect(createBody({ ...EMPTY_FORM, name: 'X', voiceId: 'alloy', voiceProvider: 'openai' })).toEqual({
      name: 'X',
      model: { provider: 'openai', model: 'gpt-4o' },
      voice: { provider: 'openai', voiceId: 'alloy' },
    });
  });

  it('maps API field paths to form fields', () => {
    expect(
      problemsByField([
        { field: 'model.temperature', message: 'must be at most 2' },
        { field: 'voice.language', message: 'is required by voice provider neuphonic' },
      ]),
    ).toEqual({
      fields: { temperature: 'must be at most 2' },
      other: ['voice.language: is required by voice provider neuphonic'],
    });
  });
});
