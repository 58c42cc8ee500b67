// The emulator behaves like Vapi for the official SDK, unchanged but for its baseUrl.
import { VapiError, VapiClient as VapiSdk } from '@vapi-ai/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';

const KEY = 'sdk-test-key';
let emulator: VapiEmulator;
let sdk: VapiSdk;
let url: string;

beforeAll(async () => {
  emulator = new VapiEmulator(KEY);
  url = await emulator.listen();
  sdk = new VapiSdk({ token: KEY, baseUrl: url, maxRetries: 0 });
});
afterAll(() => emulator.close());

async function failure(promise: Promise<unknown>): Promise<VapiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VapiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('Vapi emulator with the official SDK', () => {
  it('creates (201), gets, lists as a bare array, updates and deletes (200 with the deleted object)', async () => {
    const created = await sdk.assistants.create({
      name: 'SDK',
      model: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'system', content: 'Hi' }] },
    } as never);
    expect(created).toMatchObject({ name: 'SDK', id: expect.any(String), orgId: expect.any(String) });
    expect(Date.parse(created.createdAt as unknown as string)).not.toBeNaN();

    expect(await sdk.assistants.get({ id: created.id })).toEqual(created);
    const list = await sdk.assistants.list({ limit: 10 });
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((a) => a.id)).toContain(created.id);

    const updated = await sdk.assistants.update({ id: created.id, firstMessage: 'Hello' } as never);
    expect(updated).toMatchObject({ name: 'SDK', firstMessage: 'Hello' });
    expect(updated.updatedAt).not.toEqual(created.updatedAt);

    const deleted = await sdk.assistants.delete({ id: created.id });
    expect(deleted.id).toBe(created.id);
    expect((await failure(sdk.assistants.get({ id: created.id }))).statusCode).toBe(404);
  });

  it('PATCH replaces nested objects whole: a partial model loses its messages', async () => {
    const created = await sdk.assistants.create({
      model: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'system', content: 'Keep me' }] },
      voice: { provider: '11labs', voiceId: 'burt' },
    } as never);
    const updated = await sdk.assistants.update({
      id: created.id,
      model: { provider: 'openai', model: 'gpt-4o', temperature: 0.2 },
    } as never);
    expect(updated.model).toEqual({ provider: 'openai', model: 'gpt-4o', temperature: 0.2 });
    expect(updated.voice).toEqual({ provider: '11labs', voiceId: 'burt' });
  });

  it('rejects unknown properties with NestJS-shaped 400s listing every message', async () => {
    const error = await failure(
      sdk.assistants.create({
        name: 'x'.repeat(41),
        customer: {},
        model: { provider: 'openai', model: 'gpt-4o', temperature: 3 },
        voice: { provider: 'openai', voiceId: 'alloy', enableSsmlParsing: true },
      } as never),
    );
    expect(error.statusCode).toBe(400);
    expect(error.body).toEqual({
      message: expect.arrayContaining([
        'name must be shorter than or equal to 40 characters',
        'property customer should not exist',
        'model.temperature must not be greater than 2',
        'voice.property enableSsmlParsing should not exist',
      ]),
      error: 'Bad Request',
      statusCode: 400,
    });
  });

  it('requires the provider fields of a replaced sub-object', async () => {
    const error = await failure(
      sdk.assistants.create({ model: { provider: 'openai' }, voice: { provider: '11labs' } } as never),
    );
    expect((error.body as { message: string[] }).message).toEqual(
      expect.arrayContaining(['model.model should not be empty', 'voice.voiceId should not be empty']),
    );
  });

  it('answers a wrong key with 401 in Vapi’s words', async () => {
    const wrong = new VapiSdk({ token: 'nope', baseUrl: url, maxRetries: 0 });
    const error = await failure(wrong.assistants.list());
    expect(error.statusCode).toBe(401);
    expect(error.body).toMatchObject({
      error: 'Unauthorized',
      statusCode: 401,
      message: expect.stringContaining('Invalid Key'),
    });
  });

  it('injects chosen failures with Retry-After, over HTTP too', async () => {
    const put = await fetch(`${url}/__emulator/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ failures: [{ status: 429, times: 1, retryAfterSeconds: 7 }] }),
    });
    expect(put.status).toBe(200);
    const error = await failure(sdk.assistants.list());
    expect(error.statusCode).toBe(429);
    expect(error.rawResponse?.headers.get('retry-after')).toBe('7');
    expect(await sdk.assistants.list()).toBeInstanceOf(Array);
  });
});

describe('the emulator’s memory', () => {
  it('keeps at most maxRecorded requests, newest last; the sandbox records none', async () => {
    const bounded = new VapiEmulator(KEY, { maxRecorded: 3 });
    const quiet = new VapiEmulator(KEY, { recordRequests: false });
    try {
      for (const emulator of [bounded, quiet]) {
        const base = await emulator.listen();
        for (let i = 0; i < 5; i++) {
          await fetch(`${base}/assistant?limit=${i}`, { headers: { authorization: `Bearer ${KEY}` } });
        }
      }
      expect(bounded.received().map((r) => r.path)).toEqual([
        '/assistant?limit=2',
        '/assistant?limit=3',
        '/assistant?limit=4',
      ]);
      expect(quiet.received()).toEqual([]);
    } finally {
      await bounded.close();
      await quiet.close();
    }
  });
});
