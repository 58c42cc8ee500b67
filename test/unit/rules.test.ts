// Small pure rules: conditional requests, cursors, validation wording, provider error mapping.
import { describe, expect, it } from 'vitest';
import { etagOf, ifMatchSatisfied } from '../../src/assistants/mapper.ts';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.ts';
import { hashToken, newSessionToken } from '../../src/auth/tokens.ts';
import { AppError } from '../../src/errors.ts';
import { ProviderTimeout } from '../../src/providers/provider-errors.ts';
import { writableFields } from '../../src/providers/vapi/catalog.ts';
import { validateAssistantDto } from '../../src/providers/vapi/emulator/validate.ts';
import { validateConfigKeys } from '../../src/providers/vapi/validation.ts';
import { toProviderError, VapiAnswerError } from '../../src/providers/vapi/vapi-client.ts';
import { decodeCursor, encodeCursor } from '../../src/shared/cursor.ts';

describe('If-Match', () => {
  const etag = etagOf({ id: 'a', version: 3 });
  it.each([
    [undefined, true],
    ['*', true],
    [etag, true],
    [`W/${etag}`, true],
    [`"other", ${etag}`, true],
    [etagOf({ id: 'a', version: 2 }), false],
    ['garbage', false],
  ])('%s → %s', (header, ok) => expect(ifMatchSatisfied(header, etag)).toBe(ok));
});

describe('cursor', () => {
  it('round-trips and refuses anything else', () => {
    const row = {
      createdAt: new Date('2026-01-02T03:04:05.678Z'),
      id: '6f1c1a3e-0000-4000-8000-000000000000',
    };
    expect(decodeCursor(encodeCursor(row))).toEqual(row);
    expect(() => decodeCursor('bm9wZQ')).toThrow(AppError);
  });
});

describe('provider rules', () => {
  it('knows each provider’s required fields and closed model lists', () => {
    expect(validateConfigKeys({ model: { provider: 'openai', model: 'gpt-4o' } }, ['model'])).toEqual([]);
    expect(validateConfigKeys({ model: { provider: 'vapi' } }, ['model'])).toEqual([]);
    expect(
      validateConfigKeys({ model: { provider: 'openrouter', model: 'anything/goes' } }, ['model']),
    ).toEqual([]);
    expect(validateConfigKeys({ model: { provider: 'custom-llm', model: 'm' } }, ['model'])).toEqual([
      { field: 'model.url', message: 'is required by model provider custom-llm' },
    ]);
    expect(validateConfigKeys({ voice: { provider: 'sesame', voiceId: 'v' } }, ['voice'])).toEqual([
      { field: 'voice.model', message: 'is required by voice provider sesame' },
    ]);
    expect(validateConfigKeys({ transcriber: { provider: 'deepgram' } }, ['transcriber'])).toEqual([]);
  });

  it('a missing model provider names the ones a request may set, not every one Vapi knows', () => {
    expect(validateConfigKeys({ model: { temperature: 0.3 } }, ['model'])).toEqual([
      { field: 'model.provider', message: 'is required and must be one of openai, anthropic' },
    ]);
    // A voice may be any of Vapi's, so all of them are named.
    const [voice] = validateConfigKeys({ voice: { voiceId: 'v' } }, ['voice']);
    expect(voice?.message).toMatch(/^is required and must be one of .*cartesia.*11labs/);
  });

  it('the emulator words its 400s as Vapi does', () => {
    expect(validateAssistantDto({})).toEqual([]);
    expect(validateAssistantDto({ id: 'x', maxDurationSeconds: 5, clientMessages: ['nope'] })).toEqual([
      'property id should not exist',
      'maxDurationSeconds must not be less than 10',
      expect.stringMatching(/^each value in clientMessages must be one of the following values: /),
    ]);
    expect(validateAssistantDto({ silenceTimeoutSeconds: 30, endCallFunctionEnabled: true })).toEqual([]);
  });

  it('never sends server-set fields back', () => {
    expect(
      writableFields({
        id: 'x',
        orgId: 'o',
        createdAt: 'c',
        updatedAt: 'u',
        isServerUrlSecretSet: true,
        name: 'n',
      }),
    ).toEqual({ name: 'n' });
  });

  it('maps provider failures to codes', () => {
    const status = (statusCode: number, body: unknown = {}) =>
      toProviderError(new VapiAnswerError(statusCode, body, undefined), 1000);
    expect(status(400, { message: ['name must be a string'] })).toMatchObject({
      statusCode: 400,
      code: 'provider_validation',
      details: [{ field: 'name', message: 'name must be a string' }],
    });
    expect(status(404).code).toBe('provider_not_found');
    expect(status(401).code).toBe('provider_key_rejected');
    expect(status(429).code).toBe('provider_rate_limited');
    expect(status(503)).toMatchObject({ statusCode: 500, code: 'provider_error' });
    expect(toProviderError(new ProviderTimeout(), 1000)).toMatchObject({
      code: 'provider_timeout',
      definitelyNotApplied: false,
    });
  });
});

describe('secrets', () => {
  it('session tokens carry 256 random bits and are stored as SHA-256', () => {
    const token = newSessionToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newSessionToken()).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passwords are hashed with argon2id', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse')).toBe(true);
    expect(await verifyPassword(hash, 'wrong')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });
});
