// The Retell emulator behaves like Retell for the official retell-sdk, unchanged but for its baseURL.
import Retell, { APIError } from 'retell-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, RetellEmulator } from '../../src/providers/retell/emulator/emulator.ts';

const KEY = 'retell-sdk-test-key';
let emulator: RetellEmulator;
let sdk: Retell;
let url: string;

beforeAll(async () => {
  emulator = new RetellEmulator(KEY);
  url = await emulator.listen();
  sdk = new Retell({ apiKey: KEY, baseURL: url, maxRetries: 0 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.close());

async function failure(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** An LLM and the agent that uses it. */
async function agentWithLlm(name = 'Front desk') {
  const llm = await sdk.llm.create({ model: 'gpt-5', general_prompt: 'Be brief.', start_speaker: 'agent' });
  const agent = await sdk.agent.create({
    agent_name: name,
    voice_id: '11labs-Adrian',
    response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
  });
  return { llm, agent };
}

describe('Retell emulator with the official retell-sdk', () => {
  it('creates an LLM and an agent (201), gets both, updates partially, deletes (204)', async () => {
    const created = await sdk.llm.create({
      model: 'gpt-5',
      general_prompt: 'Be brief.',
      model_temperature: 0.3,
    });
    expect(created).toMatchObject({ llm_id: expect.any(String), version: 0, model: 'gpt-5' });
    expect(created.last_modification_timestamp).toBeGreaterThan(0);
    const { agent } = await agentWithLlm();
    expect(agent).toMatchObject({ agent_id: expect.any(String), version: 0, voice_id: '11labs-Adrian' });

    expect(await sdk.agent.retrieve(agent.agent_id)).toEqual(agent);
    expect(await sdk.llm.retrieve(created.llm_id)).toEqual(created);

    const updated = await sdk.llm.update(created.llm_id, { model_temperature: 0.9 });
    // Partial: only the sent field changes; the draft keeps its version; the time moves on.
    expect(updated).toEqual({
      ...created,
      model_temperature: 0.9,
      last_modification_timestamp: expect.any(Number),
    });
    expect(updated.last_modification_timestamp).toBeGreaterThan(created.last_modification_timestamp);
    const renamed = await sdk.agent.update(agent.agent_id, { agent_name: 'Renamed', webhook_url: null });
    expect(renamed).toMatchObject({
      agent_name: 'Renamed',
      voice_id: '11labs-Adrian',
      version: 0,
      webhook_url: null,
    });

    const deleted = await sdk.agent.delete(agent.agent_id).asResponse();
    expect(deleted.status).toBe(204);
    expect((await failure(sdk.agent.retrieve(agent.agent_id))).status).toBe(422);
  });

  it('lists agents with v2 pagination: pages of `limit`, an opaque key, newest first unless asked', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await agentWithLlm(`Agent ${i}`)).agent.agent_id);
    const seen: string[] = [];
    let key: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await sdk.agent.list({ limit: 2, ...(key ? { pagination_key: key } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.items[0]).toEqual({
        agent_id: expect.any(String),
        agent_name: expect.stringMatching(/^Agent \d$/),
        channel: 'voice',
        user_modified_timestamp: expect.any(Number),
        tags: {},
      });
      seen.push(...page.items.map((item) => item.agent_id));
      if (!page.has_more) {
        expect(page.pagination_key).toBeUndefined();
        expect(pages).toBe(3);
        break;
      }
      key = page.pagination_key;
    }
    expect(seen).toEqual([...ids].reverse());
    const ascending = await sdk.agent.list({ sort_order: 'ascending', limit: 1000 });
    expect(ascending.items.map((item) => item.agent_id)).toEqual(ids);
    expect(
      (
        await sdk.agent.list({
          filter_criteria: { channel: { type: 'string', op: 'eq', value: 'chat' } },
        } as never)
      ).items,
    ).toEqual([]);

    const llms = await sdk.llm.list({ limit: 3 });
    expect(llms.items).toHaveLength(3);
    expect(llms.items[0]).toMatchObject({ llm_id: expect.any(String), general_prompt: 'Be brief.' });
    expect(llms.has_more).toBe(true);
    expect((await failure(sdk.agent.list({ limit: 1001 }))).status).toBe(400);
  });

  it('answers 422 for a missing id, and for an id that another key’s account holds', async () => {
    const { agent, llm } = await agentWithLlm();
    const other = new Retell({ apiKey: 'another-account', baseURL: url, maxRetries: 0 });
    emulator.addKey('another-account');
    // Thunks, so each call starts only when awaited.
    for (const call of [
      () => sdk.agent.retrieve('agent_missing'),
      () => sdk.llm.retrieve('llm_missing'),
      () => sdk.agent.update('agent_missing', { agent_name: 'x' }),
      () => sdk.llm.delete('llm_missing'),
      () => other.agent.retrieve(agent.agent_id),
      () => other.llm.update(llm.llm_id, { general_prompt: 'mine now' }),
      () => other.agent.delete(agent.agent_id),
    ]) {
      const error = await failure(call());
      expect(error.status).toBe(422);
      expect(error.error).toEqual({
        status: 'error',
        message: 'Cannot find requested asset under given api key.',
      });
    }
    // An agent cannot point at another account's LLM either.
    const stolen = other.agent.create({
      voice_id: 'retell-Cimo',
      response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
    });
    expect((await failure(stolen)).status).toBe(422);
  });

  it('answers a wrong or revoked key with 401 in Retell’s words', async () => {
    const wrong = new Retell({ apiKey: 'nope', baseURL: url, maxRetries: 0 });
    const error = await failure(wrong.agent.list());
    expect(error.status).toBe(401);
    expect(error.error).toEqual({ status: 'error', message: 'API key is missing or invalid.' });
    emulator.addKey('short-lived');
    const shortLived = new Retell({ apiKey: 'short-lived', baseURL: url, maxRetries: 0 });
    expect(await shortLived.identity.retrieve()).toMatchObject({ org_name: expect.any(String) });
    emulator.revokeKey('short-lived');
    expect((await failure(shortLived.identity.retrieve())).status).toBe(401);
  });

  it('names the account a key reaches, the same for every key of it', async () => {
    emulator.addKey('second-key-same-account', DEFAULT_ACCOUNT);
    emulator.addKey('other-account');
    const info = (key: string) =>
      new Retell({ apiKey: key, baseURL: url, maxRetries: 0 }).identity.retrieve();
    const first = (await info(KEY)) as unknown as { org_id: string };
    expect(first).toEqual({ org_id: DEFAULT_ACCOUNT, org_name: expect.any(String), api_key_name: null });
    expect(await info('second-key-same-account')).toEqual(first);
    expect(((await info('other-account')) as unknown as { org_id: string }).org_id).not.toBe(DEFAULT_ACCOUNT);
  });

  it('refuses an invalid body with 400: temperature outside 0–1, an unknown model, server-set fields, no voice', async () => {
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => sdk.llm.create({ model_temperature: 1.5 }), /^model_temperature must be a number from 0 to 1$/],
      [() => sdk.llm.create({ model: 'gpt-4o' as never }), /^model must be one of gpt-4\.1, /],
      [() => sdk.llm.create({ llm_id: 'mine' } as never), /^llm_id is not a field of a Retell LLM$/],
      [
        () => sdk.agent.create({ response_engine: { type: 'retell-llm', llm_id: 'x' } } as never),
        /^voice_id is required/,
      ],
    ];
    for (const [call, message] of cases) {
      const error = await failure(call());
      expect(error.status).toBe(400);
      expect((error.error as { status: string }).status).toBe('error');
      expect((error.error as { message: string }).message).toMatch(message);
    }
    const { agent } = await agentWithLlm();
    const versioned = await failure(sdk.agent.update(agent.agent_id, { version: 0, agent_id: 'x' } as never));
    expect(versioned.status).toBe(400);
  });

  it('refuses to delete an LLM an agent still uses (400), unless forced; agent first, then LLM works', async () => {
    const { agent, llm } = await agentWithLlm();
    const refused = await failure(sdk.llm.delete(llm.llm_id));
    expect(refused.status).toBe(400);
    expect((refused.error as { message: string }).message).toContain(agent.agent_id);
    await sdk.agent.delete(agent.agent_id);
    await sdk.llm.delete(llm.llm_id);
    expect((await failure(sdk.llm.retrieve(llm.llm_id))).status).toBe(422);

    const forced = await agentWithLlm();
    await sdk.llm.delete(forced.llm.llm_id, { force_delete: true });
    expect((await failure(sdk.llm.retrieve(forced.llm.llm_id))).status).toBe(422);
  });

  it('reads a version: the draft’s number or `latest`; another is 422', async () => {
    const { agent, llm } = await agentWithLlm();
    expect(await sdk.agent.retrieve(agent.agent_id, { version: 0 })).toEqual(agent);
    expect(await sdk.llm.retrieve(llm.llm_id, { version: 0 })).toEqual(llm);
    expect((await failure(sdk.agent.retrieve(agent.agent_id, { version: 3 }))).status).toBe(422);
  });

  it('injects chosen failures by method and path, with Retry-After, over HTTP too', async () => {
    const put = await fetch(`${url}/__emulator/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        failures: [{ status: 429, times: 1, method: 'POST', path: '/create-agent', retryAfterSeconds: 7 }],
      }),
    });
    expect(put.status).toBe(200);
    // The LLM create is a POST too, on another path: it passes.
    const llm = await sdk.llm.create({});
    const error = await failure(
      sdk.agent.create({
        voice_id: 'retell-Cimo',
        response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
      }),
    );
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('7');
    expect(error.error).toEqual({
      status: 'error',
      message: 'Account rate limited, please throttle your requests.',
    });
    expect(emulator.account.agents.size).toBe(0);
  });

  it('answers unknown paths with 404 in Retell’s body', async () => {
    const res = await fetch(`${url}/assistant`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ status: 'error', message: 'The requested resource was not found.' });
  });
});
