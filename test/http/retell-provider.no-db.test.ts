// RetellProvider (the AssistantProvider for Retell) against the Retell emulator: an assistant is an
// agent plus its Retell LLM, created, updated, read, listed and deleted as two objects.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.ts';
import { HalfAppliedUpdate, RetellProvider } from '../../src/providers/retell/client.ts';
import { DEFAULT_ACCOUNT, RetellEmulator } from '../../src/providers/retell/emulator/emulator.ts';
import {
  newRetellConfig,
  type RetellAssistant,
  retellChanges,
  type SwitchboardPatch,
} from '../../src/providers/retell/mapping.ts';
import { VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';

const KEY = 'retell-provider-key';
const MARK = {
  orgId: '00000000-0000-4000-8000-0000000000a1',
  assistantId: '00000000-0000-4000-8000-0000000000b1',
};
let emulator: RetellEmulator;
let url: string;
let provider: RetellProvider;

const clientFor = (baseUrl: string, apiKey = KEY, pageSize?: number) =>
  new RetellProvider({ apiKey, baseUrl, timeoutMs: 2_000, backoffMs: 1, retryBudgetMs: 1_000, pageSize });

beforeAll(async () => {
  emulator = new RetellEmulator(KEY);
  url = await emulator.listen();
  provider = clientFor(url);
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.close());

const fields: SwitchboardPatch = {
  name: 'Front desk',
  firstMessage: 'Hello!',
  model: { provider: 'openai', model: 'gpt-5', temperature: 0.3, systemPrompt: 'Be brief.' },
  voice: { provider: '11labs', voiceId: '11labs-Adrian' },
};

const create = (patch = fields) => provider.create(newRetellConfig(patch), MARK);

/** What the provider received, as `METHOD /path` without the query. */
const calls = () => emulator.received().map((r) => `${r.method} ${r.path.split('?')[0]}`);

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('create: the LLM, then the agent that uses it', () => {
  it('makes both and answers them whole, the agent marked, no server-set field sent', async () => {
    const created = await create();
    expect(calls()).toEqual(['POST /create-retell-llm', 'POST /create-agent']);
    const [llm, agent] = [...emulator.account.llms.values(), ...emulator.account.agents.values()];
    expect(created).toEqual({ id: agent?.agent_id, agent, llm });
    expect(created.agent).toMatchObject({
      agent_name: 'Front desk',
      voice_id: '11labs-Adrian',
      response_engine: { type: 'retell-llm', llm_id: llm?.llm_id },
    });
    expect(created.llm).toMatchObject({
      model: 'gpt-5',
      model_temperature: 0.3,
      general_prompt: 'Be brief.',
      begin_message: 'Hello!',
      start_speaker: 'agent',
    });
    expect(provider.markOf(created)).toEqual(MARK);
    expect(provider.accountOf()).toBeNull();
  });

  it('deletes the LLM when the agent is refused, and says why', async () => {
    emulator.faults.failures = [
      { status: 400, times: 1, method: 'POST', path: '/create-agent', message: 'voice_id is not available' },
    ];
    const error = await rejection(create());
    expect(error).toMatchObject({ statusCode: 400, code: 'provider_validation', definitelyNotApplied: true });
    expect(error.details).toEqual([{ field: 'voice.voiceId', message: 'voice_id is not available' }]);
    expect(calls()).toEqual([
      'POST /create-retell-llm',
      'POST /create-agent',
      `DELETE /delete-retell-llm/${lastLlmId()}`,
    ]);
    expect(emulator.account.llms.size).toBe(0);
    expect(emulator.account.agents.size).toBe(0);
  });

  it('after an unknown outcome with no agent made, deletes the LLM: certainly not created', async () => {
    emulator.faults.failures = [{ status: 500, times: 1, method: 'POST', path: '/create-agent' }];
    const error = await rejection(create());
    expect(error).toMatchObject({ code: 'provider_error', definitelyNotApplied: true });
    expect(calls()).toContain('POST /v2/list-agents');
    expect(emulator.account.llms.size).toBe(0);
  });

  it('after an unknown outcome where Retell made the agent, finds it by its LLM and answers it', async () => {
    emulator.faults.failures = [
      { status: 502, times: 1, method: 'POST', path: '/create-agent', afterApply: true },
    ];
    const created = await create();
    expect(emulator.account.agents.size).toBe(1);
    expect(created.id).toBe([...emulator.account.agents.keys()][0]);
    expect(created.llm.llm_id).toBe([...emulator.account.llms.keys()][0]);
    expect(calls().filter((call) => call.startsWith('DELETE'))).toEqual([]);
  });

  it('when the LLM is not made, never asks for the agent, and nothing is left', async () => {
    emulator.faults.failures = [{ status: 503, times: 1, method: 'POST', path: '/create-retell-llm' }];
    const error = await rejection(create());
    // A create is never repeated, and there is no assistant without an agent.
    expect(error).toMatchObject({ code: 'provider_error', definitelyNotApplied: true });
    expect(calls()).toEqual(['POST /create-retell-llm']);
  });

  it('an unknown outcome that cannot be settled stays unknown; findCreated finds the agent by its mark', async () => {
    emulator.faults.failures = [
      { status: 502, times: 1, method: 'POST', path: '/create-agent', afterApply: true },
      { status: 500, times: 100, path: '/v2/list-agents' },
      { status: 500, times: 100, method: 'DELETE' },
    ];
    const since = new Date();
    const error = await rejection(create());
    expect(error.definitelyNotApplied).toBe(false);
    emulator.faults.failures = [];
    const found = await provider.findCreated(MARK, since);
    const agentId = [...emulator.account.agents.keys()][0];
    expect(found).toMatchObject({ id: agentId, llm: { model: 'gpt-5' } });
    expect(await provider.findCreated({ ...MARK, assistantId: 'someone-else' }, since)).toBeUndefined();
  });
});

/** The LLM the agent create pointed at: only Retell's answer names it, and the agent's body carries it. */
function lastLlmId(): string {
  const agentCreate = emulator.received('POST').find((r) => r.path === '/create-agent');
  const engine = (agentCreate?.body as { response_engine?: { llm_id?: string } } | undefined)
    ?.response_engine;
  expect(engine?.llm_id).toMatch(/^llm_/);
  return engine?.llm_id ?? '';
}

describe('update: each object its own touched fields', () => {
  let current: RetellAssistant;
  beforeEach(async () => {
    current = await create();
    emulator.requests.length = 0;
  });

  const bodyOf = (path: string) => emulator.received('PATCH').find((r) => r.path.startsWith(path))?.body;

  it('a name change goes to the agent only, exactly that field', async () => {
    const updated = await provider.update(current.id, { ...retellChanges(current, { name: 'Renamed' }) });
    expect(calls()).toEqual([
      `PATCH /update-agent/${current.id}`,
      `GET /get-retell-llm/${current.llm.llm_id}`,
    ]);
    expect(bodyOf('/update-agent')).toEqual({ agent_name: 'Renamed' });
    expect(updated.agent.agent_name).toBe('Renamed');
    expect(updated.llm).toEqual(current.llm);
  });

  it('a temperature change goes to the LLM only, exactly that field', async () => {
    const updated = await provider.update(current.id, {
      ...retellChanges(current, { model: { temperature: 0.8 } }),
    });
    expect(calls()).toEqual([
      `GET /get-agent/${current.id}`,
      `PATCH /update-retell-llm/${current.llm.llm_id}`,
    ]);
    expect(bodyOf('/update-retell-llm')).toEqual({ model_temperature: 0.8 });
    expect(updated.llm).toMatchObject({
      model_temperature: 0.8,
      general_prompt: 'Be brief.',
      begin_message: 'Hello!',
    });
  });

  it('given the copy just read, a one-object change is one call: the other object is taken from that copy', async () => {
    const renamed = await provider.update(
      current.id,
      { ...retellChanges(current, { name: 'Renamed' }) },
      current,
    );
    expect(calls()).toEqual([`PATCH /update-agent/${current.id}`]);
    expect(renamed.agent.agent_name).toBe('Renamed');
    expect(renamed.llm).toEqual(current.llm);
    emulator.requests.length = 0;
    const warmer = await provider.update(
      current.id,
      { ...retellChanges(renamed, { model: { temperature: 0.8 } }) },
      renamed,
    );
    expect(calls()).toEqual([`PATCH /update-retell-llm/${current.llm.llm_id}`]);
    expect(warmer.agent).toEqual(renamed.agent);
    expect(warmer.llm.model_temperature).toBe(0.8);
    // Another assistant's copy is no copy of this one: it is read as without one.
    emulator.requests.length = 0;
    const other = await create();
    emulator.requests.length = 0;
    await provider.update(current.id, { ...retellChanges(warmer, { model: { temperature: 0.2 } }) }, other);
    expect(calls()).toEqual([
      `GET /get-agent/${current.id}`,
      `PATCH /update-retell-llm/${current.llm.llm_id}`,
    ]);
  });

  it('an agent that now uses another LLM than the copy says gets that LLM read, not the copy’s', async () => {
    const other = await create();
    const repointed = await fetch(`${url}/update-agent/${current.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ response_engine: { type: 'retell-llm', llm_id: other.llm.llm_id } }),
    });
    expect(repointed.status).toBe(200);
    emulator.requests.length = 0;
    const renamed = await provider.update(
      current.id,
      { ...retellChanges(current, { name: 'Moved' }) },
      current,
    );
    expect(calls()).toEqual([`PATCH /update-agent/${current.id}`, `GET /get-retell-llm/${other.llm.llm_id}`]);
    expect(renamed.llm).toEqual(other.llm);
  });

  it('both: the agent’s fields to update-agent, the LLM’s to update-retell-llm', async () => {
    const changes = retellChanges(current, {
      name: 'Both',
      voice: { voiceId: 'retell-Cimo' },
      firstMessage: null,
    });
    const updated = await provider.update(current.id, { ...changes });
    expect(bodyOf('/update-agent')).toEqual({ agent_name: 'Both', voice_id: 'retell-Cimo' });
    expect(bodyOf('/update-retell-llm')).toEqual({ begin_message: null, start_speaker: 'agent' });
    expect(updated).toMatchObject({
      agent: { agent_name: 'Both', voice_id: 'retell-Cimo' },
      llm: { begin_message: null },
    });
    expect(updated.agent.last_modification_timestamp).toBeGreaterThan(
      current.agent.last_modification_timestamp as number,
    );
  });

  it('when the agent’s part applied and the LLM’s failed, says it was half-applied (pending), not refused', async () => {
    emulator.faults.failures = [
      {
        status: 400,
        times: 1,
        method: 'PATCH',
        path: '/update-retell-llm',
        message: 'general_prompt is too long',
      },
    ];
    const error = await rejection(
      provider.update(current.id, {
        ...retellChanges(current, { name: 'Half', model: { systemPrompt: 'x' } }),
      }),
    );
    expect(error).toBeInstanceOf(HalfAppliedUpdate);
    expect(error).toMatchObject({ definitelyNotApplied: false, applied: 'agent', notApplied: 'llm' });
    expect(error.message).toMatch(/half-applied/);
    expect(error.message).toContain('general_prompt is too long');
    // Reading both settles it.
    const settled = await provider.get(current.id);
    expect(settled.agent.agent_name).toBe('Half');
    expect(settled.llm.general_prompt).toBe('Be brief.');
  });

  it('when the agent’s part is refused, nothing was applied and the refusal is the answer', async () => {
    emulator.faults.failures = [{ status: 400, times: 1, method: 'PATCH', path: '/update-agent' }];
    const error = await rejection(
      provider.update(current.id, { ...retellChanges(current, { name: 'No', model: { temperature: 0.1 } }) }),
    );
    expect(error).not.toBeInstanceOf(HalfAppliedUpdate);
    expect(error).toMatchObject({ code: 'provider_validation', definitelyNotApplied: true });
    expect(emulator.received('PATCH')).toHaveLength(1);
  });

  it('retries a transient failure of an update, as for Vapi; a timeout may have applied', async () => {
    emulator.faults.failures = [{ status: 503, times: 1, method: 'PATCH' }];
    await provider.update(current.id, { ...retellChanges(current, { name: 'Retried' }) });
    expect(emulator.received('PATCH')).toHaveLength(2);
    const impatient = new RetellProvider({ apiKey: KEY, baseUrl: url, timeoutMs: 200, maxAttempts: 1 });
    emulator.faults.hangMethods = ['PATCH'];
    const error = await rejection(impatient.update(current.id, { agent: { agent_name: 'Slow' } }));
    expect(error).toMatchObject({ code: 'provider_timeout', definitelyNotApplied: false });
  });
});

describe('get with the stored copy', () => {
  it('reads the LLM the copy names beside the agent, not after it', async () => {
    const current = await create();
    emulator.requests.length = 0;
    expect(await provider.get(current.id, current)).toEqual(current);
    expect(calls().sort()).toEqual([
      `GET /get-agent/${current.id}`,
      `GET /get-retell-llm/${current.llm.llm_id}`,
    ]);
    // With every read held, both were asked for at once: one after the other, only the agent's would be.
    const impatient = new RetellProvider({ apiKey: KEY, baseUrl: url, timeoutMs: 200, maxAttempts: 1 });
    emulator.requests.length = 0;
    emulator.faults.hangMethods = ['GET'];
    await expect(impatient.get(current.id, current)).rejects.toMatchObject({ code: 'provider_timeout' });
    expect(calls()).toHaveLength(2);
  });

  it('an agent that now uses another LLM gets that one read; a failed read of the old one is no error', async () => {
    const current = await create();
    const other = await create();
    await fetch(`${url}/update-agent/${current.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ response_engine: { type: 'retell-llm', llm_id: other.llm.llm_id } }),
    });
    // The copy's LLM is gone at Retell: its read fails, and the agent's own LLM is read instead.
    emulator.faults.failures = [
      { status: 500, times: 9, method: 'GET', path: `/get-retell-llm/${current.llm.llm_id}` },
    ];
    emulator.requests.length = 0;
    const read = await provider.get(current.id, current);
    expect(read.llm).toEqual(other.llm);
    expect(calls()).toContain(`GET /get-retell-llm/${other.llm.llm_id}`);
    expect(emulator.faults.failures[0]?.times).toBeLessThan(9);
  });
});

describe('get, list, delete, not found, the key', () => {
  it('gets both objects; a missing or another account’s agent is not found', async () => {
    const created = await create();
    expect(await provider.get(created.id)).toEqual(created);
    emulator.addKey('other-account');
    const other = clientFor(url, 'other-account');
    for (const call of [
      () => other.get(created.id),
      () => provider.get('agent_missing'),
      () => provider.update('agent_missing', { agent: { agent_name: 'x' } }),
    ]) {
      expect(await rejection(call())).toMatchObject({ statusCode: 404, code: 'provider_not_found' });
    }
  });

  it('lists every agent with its LLM across v2 pages, skipping agents without a Retell LLM', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await create({ ...fields, name: `Agent ${i}` })).id);
    emulator.account.agents.set('agent_custom', {
      agent_id: 'agent_custom',
      version: 0,
      last_modification_timestamp: 1,
      voice_id: 'retell-Cimo',
      response_engine: { type: 'custom-llm', llm_websocket_url: 'wss://example.com' },
    });
    emulator.requests.length = 0;
    const listed = await clientFor(url, KEY, 2).listAll();
    expect(listed.map((a) => a.id).sort()).toEqual([...made].sort());
    for (const assistant of listed) {
      expect(assistant.llm.llm_id).toBe((assistant.agent.response_engine as { llm_id: string }).llm_id);
    }
    expect(calls().filter((c) => c === 'POST /v2/list-agents')).toHaveLength(3);
    expect(calls().filter((c) => c === 'GET /v2/list-retell-llms')).toHaveLength(3);
  });

  it('deletes the agent, then its LLM; an agent already gone counts as deleted', async () => {
    const created = await create();
    await provider.delete(created.id);
    expect(calls().slice(-2)).toEqual([
      `DELETE /delete-agent/${created.id}`,
      `DELETE /delete-retell-llm/${created.llm.llm_id}`,
    ]);
    expect(emulator.account.agents.size + emulator.account.llms.size).toBe(0);
    await expect(provider.delete(created.id)).resolves.toBeUndefined();
  });

  it('keeps an LLM another agent still uses', async () => {
    const created = await create();
    const sharing = { ...created.agent, agent_id: 'agent_sharing' };
    emulator.account.agents.set('agent_sharing', sharing as never);
    await provider.delete(created.id);
    expect(emulator.account.agents.has(created.id)).toBe(false);
    expect(emulator.account.llms.has(created.llm.llm_id as string)).toBe(true);
  });

  it('checks a key with get-api-key-info and learns its account', async () => {
    expect(await provider.checkKey()).toEqual({ accountId: DEFAULT_ACCOUNT });
    expect(calls()).toEqual(['GET /get-api-key-info']);
    expect(await rejection(clientFor(url, 'wrong-key').checkKey())).toMatchObject({
      code: 'provider_key_rejected',
    });
  });

  it('a key checked against an address that is not Retell’s says so', async () => {
    const vapi = new VapiEmulator('vapi-key');
    try {
      const error = await rejection(clientFor(await vapi.listen(), 'vapi-key').checkKey());
      expect(error).toMatchObject({ code: 'provider_unreachable' });
      expect(error.message).toContain("is it Retell's API");
    } finally {
      await vapi.close();
    }
  });
});
