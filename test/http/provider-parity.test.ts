// The same assistant life for every provider (issue 22): create, PATCH with a drift read, history
// and restore, sync, the reconciler, the audit log, bulk, import and delete run unchanged for a Vapi
// and a Retell connection.
// Then what only Retell has: two objects per assistant, fields it cannot hold, a half-applied update.
import { and, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { auditEvents } from '../../src/db/schema.ts';
import { noFaults } from '../../src/providers/emulator-kit.ts';
import { RetellEmulator } from '../../src/providers/retell/emulator/emulator.ts';
import { Reconciler } from '../../src/sync/reconciler.ts';
import { emulatorFetch } from '../helpers/seed.ts';
import { finishedJob, importAll, startTestApp, type TestApp } from '../helpers/test-app.ts';

const RETELL_KEY = 'retell-test-key-0001';

let t: TestApp;
let retell: RetellEmulator;
let retellUrl: string;
let retellConnectionId: string;

beforeAll(async () => {
  t = await startTestApp();
  retell = new RetellEmulator(RETELL_KEY);
  retellUrl = await retell.listen();
  const res = await t.request(t.owner.cookie, 'POST', `/orgs/${t.orgId}/connections`, {
    provider: 'retell',
    name: 'Retell account',
    apiKey: RETELL_KEY,
    baseUrl: retellUrl,
  });
  if (res.statusCode !== 201) throw new Error(`retell connection: ${res.statusCode} ${res.body}`);
  retellConnectionId = res.json().id;
});
afterAll(async () => {
  await t.close();
  await retell.close();
});

/** What differs between the providers, and nothing else: the test bodies below are shared. */
interface Platform {
  connectionId: () => string;
  model: string;
  voice: { provider: string; voiceId: string };
  /** Changes the system prompt at the provider, as its own dashboard would. */
  editAtProvider(providerId: string, prompt: string): Promise<void>;
  /** Makes an assistant at the provider that Switchboard does not manage. */
  makeAtProvider(name: string): Promise<void>;
  /** Whether the provider still has the assistant. */
  exists(providerId: string): Promise<boolean>;
  /** Write requests Switchboard sent to the provider. */
  writes(): number;
}

const retellFetch = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${retellUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${RETELL_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, any> };
};

const PLATFORMS: Record<'vapi' | 'retell', Platform> = {
  vapi: {
    connectionId: () => t.connectionId,
    model: 'gpt-4o',
    voice: { provider: '11labs', voiceId: 'burt' },
    async editAtProvider(id, prompt) {
      const current = (await emulatorFetch(t, 'GET', `/assistant/${id}`)).body as unknown as {
        model: object;
      };
      await emulatorFetch(t, 'PATCH', `/assistant/${id}`, {
        model: { ...current.model, messages: [{ role: 'system', content: prompt }] },
      });
    },
    async makeAtProvider(name) {
      await emulatorFetch(t, 'POST', '/assistant', { name });
    },
    async exists(id) {
      return (await emulatorFetch(t, 'GET', `/assistant/${id}`)).status === 200;
    },
    writes: () => t.emulator.requests.filter((r) => r.method !== 'GET').length,
  },
  retell: {
    connectionId: () => retellConnectionId,
    model: 'gpt-4.1',
    voice: { provider: '11labs', voiceId: '11labs-Adrian' },
    async editAtProvider(agentId, prompt) {
      const agent = (await retellFetch('GET', `/get-agent/${agentId}`)).body;
      await retellFetch('PATCH', `/update-retell-llm/${agent.response_engine.llm_id}`, {
        general_prompt: prompt,
      });
    },
    async makeAtProvider(name) {
      const llm = (
        await retellFetch('POST', '/create-retell-llm', { model: 'gpt-4.1', general_prompt: 'Loose' })
      ).body;
      await retellFetch('POST', '/create-agent', {
        agent_name: name,
        voice_id: '11labs-Adrian',
        response_engine: { type: 'retell-llm', llm_id: llm.llm_id },
      });
    },
    async exists(agentId) {
      return (await retellFetch('GET', `/get-agent/${agentId}`)).status === 200;
    },
    writes: () => retell.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/v2/list')).length,
  },
};

describe.each(Object.entries(PLATFORMS))('%s assistants', (kind, platform) => {
  const create = async (name: string) => {
    const res = await t.request(t.owner.cookie, 'POST', '/assistants', {
      connectionId: platform.connectionId(),
      name,
      firstMessage: 'Hello there',
      model: { provider: 'openai', model: platform.model, temperature: 0.5, systemPrompt: 'Be brief.' },
      voice: platform.voice,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const get = async (id: string) => (await t.request(t.owner.cookie, 'GET', `/assistants/${id}`)).json();

  it('creates, shows Switchboard’s fields, and keeps the provider’s whole object', async () => {
    const a = await create(`${kind} created`);
    expect(a).toMatchObject({
      provider: kind,
      connectionId: platform.connectionId(),
      name: `${kind} created`,
      firstMessage: 'Hello there',
      model: { provider: 'openai', model: platform.model, temperature: 0.5, systemPrompt: 'Be brief.' },
      voice: platform.voice,
      version: 1,
      syncState: 'synced',
    });
    expect(await platform.exists(a.providerAssistantId)).toBe(true);
  });

  it('a PATCH reads the provider first: a change made there is kept, and history names both', async () => {
    const a = await create(`${kind} patched`);
    await platform.editAtProvider(a.providerAssistantId, 'Changed at the provider.');
    const res = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
      name: `${kind} renamed`,
      model: { temperature: 0.25 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      name: `${kind} renamed`,
      model: { temperature: 0.25, systemPrompt: 'Changed at the provider.', model: platform.model },
      firstMessage: 'Hello there',
      version: 3,
    });
    const versions = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}/versions`)).json();
    expect(versions.items.map((v: { source: string }) => v.source)).toEqual(['update', 'provider', 'create']);

    const restored = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/versions/1/restore`);
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json()).toMatchObject({
      name: `${kind} patched`,
      model: { temperature: 0.5, systemPrompt: 'Be brief.' },
      version: 4,
    });
  });

  it('a sync stores what changed at the provider as a provider version', async () => {
    const a = await create(`${kind} synced`);
    await platform.editAtProvider(a.providerAssistantId, 'Synced prompt.');
    const res = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`);
    expect(res.json()).toMatchObject({ version: 2, model: { systemPrompt: 'Synced prompt.' } });
    const again = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`);
    expect(again.json().version).toBe(2);
  });

  it('a bulk change goes through the same path for each assistant; its dry run sends nothing', async () => {
    const made = [await create(`${kind} bulk 1`), await create(`${kind} bulk 2`)];
    const ids = made.map((a) => a.id);
    const writesBefore = platform.writes();
    const preview = await t.request(t.owner.cookie, 'POST', '/assistants/bulk', {
      ids,
      patch: { firstMessage: 'Bulk hello' },
      dryRun: true,
    });
    expect(preview.json().items.map((i: { changes: unknown }) => i.changes)).toEqual([
      [{ field: 'firstMessage', from: 'Hello there', to: 'Bulk hello' }],
      [{ field: 'firstMessage', from: 'Hello there', to: 'Bulk hello' }],
    ]);
    expect(preview.json().items.map((i: { name: string }) => i.name)).toEqual(made.map((a) => a.name));
    expect(platform.writes()).toBe(writesBefore);
    const res = await t.request(t.owner.cookie, 'POST', '/assistants/bulk', {
      ids,
      patch: { firstMessage: 'Bulk hello' },
    });
    expect(await finishedJob(t, t.owner.cookie, res.json().job.id)).toMatchObject({
      state: 'succeeded',
      failed: 0,
    });
    for (const id of ids) expect(await get(id)).toMatchObject({ firstMessage: 'Bulk hello', version: 2 });
  });

  it('the reconciler finds a change made at the provider; the audit log names who did what', async () => {
    const a = await create(`${kind} reconciled`);
    await platform.editAtProvider(a.providerAssistantId, 'Found by the reconciler.');
    // Only this assistant is due: every other one was checked just now.
    await t.database.db.execute(
      sql`update assistants set last_synced_at = case when id = ${a.id}::uuid then null else now() end`,
    );
    const reconciler = new Reconciler(
      new AssistantRepository(t.database.db),
      t.services.assistants,
      { intervalMs: 60_000, maxCallsPerSecond: 100 },
      pino({ level: 'silent' }),
    );
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1, changed: 1 });
    expect(await get(a.id)).toMatchObject({
      version: 2,
      model: { systemPrompt: 'Found by the reconciler.' },
    });
    const audit = (
      await t.request(
        t.owner.cookie,
        'GET',
        `/orgs/${t.orgId}/audit?target=${encodeURIComponent(`${kind} reconciled`)}`,
      )
    ).json();
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual([
      'assistant.synced',
      'assistant.created',
    ]);
  });

  it('imports what only the provider has, and deletes at the provider', async () => {
    await platform.makeAtProvider(`${kind} loose one`);
    const job = await importAll(t, t.owner.cookie, { connectionId: platform.connectionId() });
    expect(job).toMatchObject({ state: 'succeeded', failed: 0 });
    const list = (await t.request(t.owner.cookie, 'GET', `/assistants?q=${kind} loose&limit=10`)).json();
    expect(list.items).toEqual([expect.objectContaining({ name: `${kind} loose one`, provider: kind })]);
    const [imported] = list.items;
    expect((await t.request(t.owner.cookie, 'DELETE', `/assistants/${imported.id}`)).statusCode).toBe(204);
    expect(await platform.exists(imported.providerAssistantId)).toBe(false);
    const [deleted] = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, imported.id), eq(auditEvents.action, 'assistant.deleted')));
    expect(deleted?.detail).toMatchObject({ name: `${kind} loose one` });
  });
});

describe('what only Retell has', () => {
  /** `POST /assistants` on the Retell connection, with a voice Retell knows unless `body` names one. */
  const createOnRetell = (body: Record<string, unknown>) =>
    t.request(t.owner.cookie, 'POST', '/assistants', {
      connectionId: retellConnectionId,
      voice: { voiceId: '11labs-Adrian' },
      ...body,
    });

  it('an assistant is an agent and its LLM, both kept whole', async () => {
    const res = await createOnRetell({
      name: 'Two objects',
      model: { model: 'gpt-4.1', systemPrompt: 'Two.' },
    });
    const a = res.json();
    expect(a.providerConfig.agent).toMatchObject({ agent_name: 'Two objects', voice_id: '11labs-Adrian' });
    expect(a.providerConfig.llm).toMatchObject({ model: 'gpt-4.1', general_prompt: 'Two.' });
    expect(a.providerConfig.agent.response_engine.llm_id).toBe(a.providerConfig.llm.llm_id);
  });

  it('a PATCH reads both objects once, side by side (its drift read), then writes only the one its field lives in', async () => {
    const a = (
      await createOnRetell({ name: 'Three calls', model: { model: 'gpt-4.1', systemPrompt: 'One.' } })
    ).json();
    retell.requests.length = 0;
    const res = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
      model: { temperature: 0.4 },
    });
    expect(res.json()).toMatchObject({ name: 'Three calls', model: { temperature: 0.4 } });
    const llmId = a.providerConfig.llm.llm_id;
    const [first, second, write] = retell.received().map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect([first, second].sort()).toEqual([
      `GET /get-agent/${a.providerAssistantId}`,
      `GET /get-retell-llm/${llmId}`,
    ]);
    expect(write).toBe(`PATCH /update-retell-llm/${llmId}`);
    expect(retell.received()).toHaveLength(3);
  });

  it('a field Retell cannot hold is a 400 naming the field and Retell, and nothing is sent', async () => {
    const writes = PLATFORMS.retell.writes();
    for (const body of [
      { model: { model: 'gpt-4.1', maxTokens: 500 } },
      { model: { model: 'gpt-4.1' }, transcriber: { provider: 'deepgram', model: 'nova-2' } },
      { model: { model: 'gpt-4.1', temperature: 1.5 } },
    ]) {
      const res = await createOnRetell({ name: 'Refused', ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toMatch(/Retell/);
      expect(res.json().message).toMatch(/model\.maxTokens|transcriber|model\.temperature/);
    }
    expect(PLATFORMS.retell.writes()).toBe(writes);
  });

  it('an update applied to the agent but not the LLM is pending, and is settled by reading both', async () => {
    const res = await createOnRetell({
      name: 'Half applied',
      model: { model: 'gpt-4.1', systemPrompt: 'Before.' },
    });
    const a = res.json();
    retell.faults = {
      ...noFaults(),
      failures: [{ method: 'PATCH', path: '/update-retell-llm', status: 500, times: 3 }],
    };
    try {
      const patched = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, {
        name: 'Half renamed',
        model: { systemPrompt: 'After.' },
      });
      expect(patched.statusCode).toBeGreaterThanOrEqual(500);
      expect(patched.json().message).toMatch(/half/i);
    } finally {
      retell.faults = noFaults();
    }
    expect(await (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}`)).json()).toMatchObject({
      syncState: 'pending',
    });
    const synced = (await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`)).json();
    expect(synced).toMatchObject({
      syncState: 'synced',
      name: 'Half renamed',
      model: { systemPrompt: 'Before.' },
    });
  });
});
