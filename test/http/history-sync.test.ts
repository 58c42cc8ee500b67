// SPEC section 6: versions, restore, drift-safe PATCH, sync, the reconciler and import.
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../../src/app.ts';
import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { assistants, auditEvents } from '../../src/db/schema.ts';
import { noFaults } from '../../src/providers/vapi/emulator/emulator.ts';
import { Reconciler } from '../../src/sync/reconciler.ts';
import { emulatorFetch, RICH_PROVIDER_ASSISTANT, seedProviderAssistant } from '../helpers/seed.ts';
import {
  createAssistant,
  EMULATOR_KEY,
  finishedJob,
  importAll,
  OWNER,
  startTestApp,
  type TestApp,
} from '../helpers/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => {
  t.emulator.faults = noFaults();
  t.emulator.requests.length = 0;
});

const get = (id: string) => t.request(t.owner.cookie, 'GET', `/assistants/${id}`);
const patch = (id: string, body: unknown) => t.request(t.owner.cookie, 'PATCH', `/assistants/${id}`, body);
const versions = async (id: string, query = '') =>
  (await t.request(t.owner.cookie, 'GET', `/assistants/${id}/versions${query}`)).json();
/** Changes the assistant at the provider directly, as Vapi's own dashboard would. */
const editAtProvider = (providerId: string, body: Record<string, unknown>) =>
  emulatorFetch(t, 'PATCH', `/assistant/${providerId}`, body);

describe('versions', () => {
  it('every confirmed configuration is a numbered version: who, when, source and what changed', async () => {
    const a = await createAssistant(t);
    await patch(a.id, { model: { temperature: 0.1 } });
    await patch(a.id, { name: 'Renamed', voice: { voiceId: 'sarah' } });
    const list = await versions(a.id);
    expect(list.items.map((v: { version: number; source: string }) => [v.version, v.source])).toEqual([
      [3, 'update'],
      [2, 'update'],
      [1, 'create'],
    ]);
    expect(list.items[0]).toMatchObject({
      actorUserId: t.owner.userId,
      changedPaths: ['name', 'voice.voiceId'],
    });
    expect(list.items[1].changedPaths).toEqual(['model.temperature']);
    expect(Date.parse(list.items[0].createdAt)).not.toBeNaN();

    const page1 = await versions(a.id, '?limit=2');
    expect(page1.items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const page2 = await versions(a.id, `?limit=2&before=${page1.nextBefore}`);
    expect(page2).toMatchObject({ items: [{ version: 1 }], nextBefore: null });

    const one = (
      await t.request(t.owner.cookie, 'GET', `/assistants/${a.providerAssistantId}/versions/2`)
    ).json();
    expect(one).toMatchObject({ version: 2, source: 'update' });
    expect(one.config.model.temperature).toBe(0.1);
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}/versions/99`)).statusCode).toBe(404);
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}/versions/zero`)).statusCode).toBe(
      400,
    );
  });

  it('names who made each version: the user’s email or the API key’s name', async () => {
    const a = await createAssistant(t);
    const key = await t.createApiKey('editor', 'Deploy bot');
    await t.request(undefined, 'PATCH', `/assistants/${a.id}`, { name: 'By key' }, key.headers);
    const list = (await versions(a.id)).items;
    expect(list.map((v: { actorLabel: string | null }) => v.actorLabel)).toEqual(['Deploy bot', OWNER.email]);
    const one = (await t.request(t.owner.cookie, 'GET', `/assistants/${a.id}/versions/1`)).json();
    expect(one.actorLabel).toBe(OWNER.email);
  });

  it('restore makes an old configuration current again, model.messages included, as a new version', async () => {
    const seeded = await seedProviderAssistant(t);
    await patch(seeded.id, { model: { systemPrompt: 'Changed prompt.', temperature: 1.9 }, name: 'Changed' });
    const res = await t.request(t.owner.cookie, 'POST', `/assistants/${seeded.id}/versions/1/restore`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 3, name: RICH_PROVIDER_ASSISTANT.name });
    const atProvider = t.emulator.assistants.get(seeded.providerAssistantId) as Record<string, any>;
    expect(atProvider.model).toEqual(RICH_PROVIDER_ASSISTANT.model);
    expect(atProvider.name).toBe(RICH_PROVIDER_ASSISTANT.name);
    expect((await versions(seeded.id)).items[0]).toMatchObject({
      version: 3,
      source: 'restore',
      changedPaths: ['model.messages', 'model.temperature', 'name'],
    });
  });

  it('restore refuses a stale If-Match, and goes through the provider like a PATCH', async () => {
    const a = await createAssistant(t);
    const etag = (await get(a.id)).headers.etag as string;
    await patch(a.id, { name: 'Newer' });
    const stale = await t.request(
      t.owner.cookie,
      'POST',
      `/assistants/${a.id}/versions/1/restore`,
      undefined,
      { 'if-match': etag },
    );
    expect(stale.statusCode).toBe(412);
    t.emulator.faults.failures = [{ status: 500, times: 5, method: 'PATCH' }];
    const failed = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/versions/1/restore`);
    expect(failed.statusCode).toBe(500);
    expect((await get(a.id)).json()).toMatchObject({ name: 'Newer', version: 2 });
  });
});

describe('drift', () => {
  it('a PATCH never reverts a change made at the provider: it is stored first, then the request is merged onto it', async () => {
    const seeded = await seedProviderAssistant(t);
    const editedModel = {
      ...RICH_PROVIDER_ASSISTANT.model,
      messages: [{ role: 'system', content: 'Edited in Vapi.' }],
    };
    await editAtProvider(seeded.providerAssistantId, { model: editedModel });

    const res = await patch(seeded.id, { model: { temperature: 0.05 } });
    expect(res.statusCode).toBe(200);
    const expectedModel = { ...editedModel, temperature: 0.05 };
    expect((t.emulator.assistants.get(seeded.providerAssistantId) as Record<string, any>).model).toEqual(
      expectedModel,
    );
    expect(res.json().providerConfig.model).toEqual(expectedModel);
    expect(res.json().model.systemPrompt).toBe('Edited in Vapi.');
    const list = (await versions(seeded.id)).items;
    expect(list.slice(0, 2)).toMatchObject([
      { version: 3, source: 'update', changedPaths: ['model.temperature'], actorUserId: t.owner.userId },
      { version: 2, source: 'provider', changedPaths: ['model.messages'], actorUserId: null },
    ]);
  });

  it('sync stores a change made at the provider as a `provider` version, and nothing when there is none', async () => {
    const a = await createAssistant(t);
    await editAtProvider(a.providerAssistantId, { firstMessage: 'Set in the Vapi dashboard' });
    const synced = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`);
    expect(synced.statusCode).toBe(200);
    expect(synced.json()).toMatchObject({
      version: 2,
      firstMessage: 'Set in the Vapi dashboard',
      syncState: 'synced',
    });
    expect((await versions(a.id)).items[0]).toMatchObject({
      source: 'provider',
      changedPaths: ['firstMessage'],
    });

    const again = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`);
    expect(again.json().version).toBe(2);
  });

  it('updatedBy names whoever changed it last; a change found at the provider keeps that author', async () => {
    const a = await createAssistant(t);
    expect((await get(a.id)).json().updatedBy).toBe(t.owner.userId);
    const editor = await t.userWithRole('editor');
    const edited = await t.request(editor.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'By the editor' });
    expect(edited.json()).toMatchObject({ updatedBy: editor.userId, version: 2 });
    await editAtProvider(a.providerAssistantId, { firstMessage: 'Set in the Vapi dashboard' });
    const synced = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`);
    expect(synced.json()).toMatchObject({ updatedBy: editor.userId, version: 3 });
    // A PATCH that finds drift stores the provider's copy (keeping the author), then its own change.
    await editAtProvider(a.providerAssistantId, { firstMessage: 'Again in the dashboard' });
    const merged = await patch(a.id, { name: 'By the owner' });
    expect(merged.json()).toMatchObject({ updatedBy: t.owner.userId, version: 5 });
    const history = (await versions(a.id)).items.map((v: { source: string; actorUserId: string | null }) => [
      v.source,
      v.actorUserId,
    ]);
    expect(history).toEqual([
      ['update', t.owner.userId],
      ['provider', null],
      ['provider', null],
      ['update', editor.userId],
      ['create', t.owner.userId],
    ]);
  });

  it('an assistant deleted at the provider is marked missing, not dropped', async () => {
    const a = await createAssistant(t);
    t.emulator.assistants.delete(a.providerAssistantId);
    const res = await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'provider_not_found' });
    expect((await get(a.id)).json()).toMatchObject({ syncState: 'missing', version: 1 });
  });

  it('a viewer may not sync or restore', async () => {
    const a = await createAssistant(t);
    const viewer = await t.userWithRole('viewer');
    expect((await t.request(viewer.cookie, 'POST', `/assistants/${a.id}/sync`)).statusCode).toBe(403);
    expect(
      (await t.request(viewer.cookie, 'POST', `/assistants/${a.id}/versions/1/restore`)).statusCode,
    ).toBe(403);
    expect((await t.request(viewer.cookie, 'GET', `/assistants/${a.id}/versions`)).statusCode).toBe(200);
  });
});

describe('reconciler', () => {
  it('finds drift on every assistant, at no more than its set rate of provider calls', async () => {
    const t2 = await startTestApp();
    try {
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push(await seedProviderAssistant(t2));
      const drifted = ids[2] as { id: string; providerAssistantId: string };
      await emulatorFetch(t2, 'PATCH', `/assistant/${drifted.providerAssistantId}`, { name: 'Drifted' });
      t2.emulator.requests.length = 0;

      const reconciler = new Reconciler(
        new AssistantRepository(t2.database.db),
        t2.services.assistants,
        { intervalMs: 0, maxCallsPerSecond: 10 },
        pino({ level: 'silent' }),
      );
      const started = Date.now();
      const report = await reconciler.runOnce();
      const elapsed = Date.now() - started;
      expect(report).toMatchObject({ checked: 6, changed: 1, failed: 0 });
      const gets = t2.emulator.received('GET');
      expect(gets).toHaveLength(6);
      // Calls start 100 ms apart; arrivals may jitter a little under load, never bunch up.
      const gaps = gets.slice(1).map((g, i) => g.at - (gets[i] as { at: number }).at);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30);
      expect((gets[5] as { at: number }).at - (gets[0] as { at: number }).at).toBeGreaterThanOrEqual(
        5 * 100 - 40,
      );
      expect(elapsed).toBeGreaterThanOrEqual(5 * 100 - 10);
      const drift = (await t2.request(t2.owner.cookie, 'GET', `/assistants/${drifted.id}`)).json();
      expect(drift).toMatchObject({ name: 'Drifted', version: 2 });
      console.info(
        `[figures] reconciler at 10 calls/s: 6 assistants in ${elapsed} ms, smallest gap ${Math.min(...gaps)} ms`,
      );
    } finally {
      await t2.close();
    }
  });

  it('two servers reconciling at once check each assistant once, never twice', async () => {
    const t2 = await startTestApp();
    try {
      for (let i = 0; i < 8; i++) await seedProviderAssistant(t2);
      // Due for a check: never checked, with a real interval between checks.
      await t2.database.db.update(assistants).set({ lastSyncedAt: null });
      t2.emulator.requests.length = 0;
      const serverB = createServices(t2.config, t2.database.db, pino({ level: 'silent' }), {
        secrets: t2.secrets,
      });
      const reconcilerFor = (services: typeof serverB) =>
        new Reconciler(
          new AssistantRepository(t2.database.db),
          services.assistants,
          { intervalMs: 60_000, maxCallsPerSecond: 1000, batchSize: 2 },
          pino({ level: 'silent' }),
        );
      const [a, b] = await Promise.all([
        reconcilerFor(t2.services).runOnce(),
        reconcilerFor(serverB).runOnce(),
      ]);
      expect(a.checked + b.checked).toBe(8);
      const paths = t2.emulator.received('GET').map((g) => g.path);
      expect(paths).toHaveLength(8);
      expect(new Set(paths).size).toBe(8);
    } finally {
      await t2.close();
    }
  });
});

describe('import', () => {
  it('imports one provider assistant by id, idempotently', async () => {
    const remote = (await emulatorFetch(t, 'POST', '/assistant', RICH_PROVIDER_ASSISTANT)).body;
    const first = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      providerAssistantId: remote.id,
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      providerAssistantId: remote.id,
      version: 1,
      name: RICH_PROVIDER_ASSISTANT.name,
    });
    expect(first.json().providerConfig).toEqual(remote);
    const second = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      providerAssistantId: remote.id,
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    expect((await versions(first.json().id)).items).toMatchObject([{ version: 1, source: 'import' }]);
  });

  it('imports all that no organization manages, and twice stores once', async () => {
    const t2 = await startTestApp();
    try {
      const managed = await createAssistant(t2);
      const extra = [];
      for (const name of ['Only at Vapi 1', 'Only at Vapi 2']) {
        extra.push((await emulatorFetch(t2, 'POST', '/assistant', { name })).body.id);
      }
      const first = await t2.request(t2.owner.cookie, 'POST', '/assistants/import', { all: true });
      expect(first.statusCode).toBe(202);
      // The answer is the job, never the assistants.
      expect(first.json().job).toMatchObject({ kind: 'import', total: null, done: 0 });
      expect(await finishedJob(t2, t2.owner.cookie, first.json().job.id)).toMatchObject({
        state: 'succeeded',
        total: 3,
        done: 3,
        failed: 0,
        errors: [],
        createdBy: OWNER.email,
      });
      expect(await importAll(t2, t2.owner.cookie)).toMatchObject({ state: 'succeeded', total: 3 });
      const imported = await t2.database.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.action, 'assistant.imported'));
      expect(imported.map((e) => e.detail.providerAssistantId).sort()).toEqual([...extra].sort());
      const list = (await t2.request(t2.owner.cookie, 'GET', '/assistants?limit=100')).json();
      expect(list.items.map((a: { providerAssistantId: string }) => a.providerAssistantId).sort()).toEqual(
        [managed.providerAssistantId, ...extra].sort(),
      );
    } finally {
      await t2.close();
    }
  });

  it('says what is wrong with a bad import request', async () => {
    const neither = await t.request(t.owner.cookie, 'POST', '/assistants/import', {});
    expect(neither.statusCode).toBe(400);
    const both = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      all: true,
      providerAssistantId: 'x',
    });
    expect(both.statusCode).toBe(400);
    const unknown = await t.request(t.owner.cookie, 'POST', '/assistants/import', {
      providerAssistantId: 'no-such-id',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('provider_not_found');
  });

  it('another organization that connects the same account cannot import an assistant this one manages', async () => {
    const a = await createAssistant(t);
    const outsider = await t.userWithRole('viewer');
    const org = (await t.request(outsider.cookie, 'POST', '/orgs', { name: 'Importer' })).json();
    await t.request(outsider.cookie, 'POST', '/auth/active-org', { orgId: org.orgId });
    // Through its own sandbox the assistant does not exist at all.
    const viaSandbox = await t.request(outsider.cookie, 'POST', '/assistants/import', {
      providerAssistantId: a.providerAssistantId,
    });
    expect(viaSandbox.json().code).toBe('provider_not_found');
    const sameAccount = await t.request(outsider.cookie, 'POST', `/orgs/${org.orgId}/connections`, {
      provider: 'vapi',
      name: 'Same account',
      apiKey: EMULATOR_KEY,
      baseUrl: t.emulatorUrl,
    });
    expect(sameAccount.statusCode).toBe(201);
    const res = await t.request(outsider.cookie, 'POST', '/assistants/import', {
      connectionId: sameAccount.json().id,
      providerAssistantId: a.providerAssistantId,
    });
    expect(res.json()).toMatchObject({ code: 'already_managed' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('already_managed');
  });
});
