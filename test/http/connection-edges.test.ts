// The edges of connections and creates that a mutation review found untested: the account
// learned from ordinary calls and kept by checks, a rotated key used at once, a forged sandbox
// token, leases that protect a create in flight, and lookups that adopt only the create's own mark.
import { randomUUID } from 'node:crypto';
import { isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssistantRepository } from '../../src/assistants/assistant-repository.ts';
import { assistants } from '../../src/db/schema.ts';
import { noFaults, VapiEmulator } from '../../src/providers/vapi/emulator/emulator.ts';
import {
  assistantBody,
  createAssistant,
  importAll,
  startTestApp,
  type TestApp,
} from '../helpers/test-app.ts';

let t: TestApp;
let other: VapiEmulator;
let otherUrl: string;
beforeAll(async () => {
  t = await startTestApp({
    env: { PROVIDER_TIMEOUT_MS: '300' },
    provider: { retryBudgetMs: 1_000, backoffMs: 20 },
  });
  other = new VapiEmulator('edges-other-key-0000');
  otherUrl = await other.listen();
});
afterAll(async () => {
  await t.close();
  await other.close();
});
const conns = () => `/orgs/${t.orgId}/connections`;
const connect = (name: string, apiKey: string) =>
  t.request(t.owner.cookie, 'POST', conns(), { provider: 'vapi', name, apiKey, baseUrl: otherUrl });
const unconfirmed = () =>
  t.database.db.select().from(assistants).where(isNull(assistants.providerAssistantId));
const expire = () =>
  t.database.db
    .update(assistants)
    .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
    .where(isNull(assistants.providerAssistantId));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connection and create edges', () => {
  it('the provider account is learned from an ordinary call, without a check', async () => {
    other.addKey('learn-key-1234');
    const c = (await connect('Learner', 'learn-key-1234')).json();
    expect(c.providerAccountId).toBeNull();
    await createAssistant(t, t.owner.cookie, { connectionId: c.id });
    const got = (await t.request(t.owner.cookie, 'GET', `${conns()}/${c.id}`)).json();
    expect(got.providerAccountId).toEqual(expect.any(String));
  });

  it('a check of an account that holds nothing keeps the account already learned', async () => {
    other.addKey('keep-account-5678');
    const c = (await connect('Keeper', 'keep-account-5678')).json();
    const a = await createAssistant(t, t.owner.cookie, { connectionId: c.id });
    const first = (await t.request(t.owner.cookie, 'POST', `${conns()}/${c.id}/check`)).json();
    expect(first.providerAccountId).toEqual(expect.any(String));
    expect((await t.request(t.owner.cookie, 'DELETE', `/assistants/${a.id}`)).statusCode).toBe(204);
    const second = (await t.request(t.owner.cookie, 'POST', `${conns()}/${c.id}/check`)).json();
    expect(second.providerAccountId).toBe(first.providerAccountId);
  });

  it('after a rotation the new key is used at once, even where a client was cached', async () => {
    other.addKey('rotate-old-key-aaaa');
    const c = (await connect('Rotator', 'rotate-old-key-aaaa')).json();
    const a = await createAssistant(t, t.owner.cookie, { connectionId: c.id });
    // The create learned the account (dropping the cached client); this call caches a client with the old key.
    expect((await t.request(t.owner.cookie, 'POST', `/assistants/${a.id}/sync`)).statusCode).toBe(200);
    const account = other.revokeKey('rotate-old-key-aaaa');
    other.addKey('rotate-new-key-bbbb', account);
    const rotated = await t.request(t.owner.cookie, 'PATCH', `${conns()}/${c.id}`, {
      apiKey: 'rotate-new-key-bbbb',
    });
    expect(rotated.statusCode).toBe(200);
    const res = await t.request(t.owner.cookie, 'PATCH', `/assistants/${a.id}`, { name: 'After rotation' });
    expect(res.statusCode).toBe(200);
  });

  it('the sandbox refuses a forged token', async () => {
    const list = (await t.request(t.owner.cookie, 'GET', conns())).json() as Array<{
      id: string;
      provider: string;
    }>;
    const s = list.find((c) => c.provider === 'sandbox') as { id: string };
    const url = await t.services.sandbox.baseUrl();
    const get = (token: string) =>
      fetch(`${url}/assistant?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(t.services.sandbox.tokenFor(s.id))).status).toBe(200);
    expect((await get(`${s.id}.forged`)).status).toBe(401);
  });

  it('a create under a live lease is neither stale nor droppable with another token', async () => {
    const repo = new AssistantRepository(t.database.db);
    const token = randomUUID();
    const row = await repo.insertCreating(
      {
        orgId: t.orgId,
        connectionId: t.connectionId,
        provider: 'vapi',
        config: { name: 'Held' },
        createdBy: t.owner.userId,
      },
      { token, ms: 60_000 },
    );
    expect((await repo.findStalePending(100)).map((r) => r.id)).not.toContain(row.id);
    await repo.dropCreating(row.id, randomUUID());
    expect(await repo.findById(row.id)).toBeDefined();
    await repo.dropCreating(row.id, token);
  });

  it('an unconfirmed create is a 404 by its id', async () => {
    t.emulator.reset();
    t.emulator.faults = { ...noFaults(), failures: [{ status: 503, times: 1, method: 'POST' }] };
    expect(
      (await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ name: 'Pending one' })))
        .statusCode,
    ).toBe(500);
    const [pending] = await unconfirmed();
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${pending?.id}`)).statusCode).toBe(404);
    await expire();
    await t.services.assistants.recoverPending();
  });

  it('a failed create never adopts another assistant of the organization', async () => {
    t.emulator.reset();
    const existing = (
      await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ name: 'Existing' }))
    ).json();
    t.emulator.faults = { ...noFaults(), failures: [{ status: 503, times: 1, method: 'POST' }] };
    const res = await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ name: 'Second' }));
    expect(res.statusCode).toBe(500);
    expect(res.json().message).toMatch(/Switchboard will look for it/);
    expect(await unconfirmed()).toHaveLength(1);
    await expire();
    await t.services.assistants.recoverPending();
    expect(await unconfirmed()).toEqual([]);
    expect((await t.request(t.owner.cookie, 'GET', `/assistants/${existing.id}`)).json().name).toBe(
      'Existing',
    );
  });

  it('the lookup for an unknown create asks only for assistants made around it', async () => {
    t.emulator.reset();
    t.emulator.faults = {
      ...noFaults(),
      failures: [{ status: 502, times: 1, method: 'POST', afterApply: true }],
    };
    const res = await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ name: 'Windowed' }));
    expect(res.statusCode).toBe(201);
    const lookups = t.emulator
      .received('GET')
      .map((r) => new URL(r.path, 'http://x').searchParams.get('createdAtGe'));
    expect(lookups).toHaveLength(1);
    const since = Date.parse(lookups[0] as string);
    const created = Date.parse(res.json().createdAt);
    expect(created - since).toBeGreaterThan(9 * 60_000);
    expect(created - since).toBeLessThan(11 * 60_000);
  });

  it('import does not take a create still being settled', async () => {
    t.emulator.reset();
    t.emulator.faults = { ...noFaults(), latencyMs: 600, latencyPhase: 'before', latencyMethods: ['POST'] };
    const res = await t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ name: 'Late one' }));
    expect(res.json().code).toBe('provider_timeout');
    await sleep(700);
    t.emulator.faults = noFaults();
    expect(t.emulator.assistants.size).toBe(1);
    expect(await importAll(t, t.owner.cookie)).toMatchObject({ state: 'succeeded', total: 1 });
    expect(
      (await t.database.db.select().from(assistants)).filter((r) => r.config.name === 'Late one'),
    ).toEqual([expect.objectContaining({ syncState: 'pending', providerAssistantId: null })]);
    await expire();
    await t.services.assistants.recoverPending();
    const rows = (await t.database.db.select().from(assistants)).filter((r) => r.config.name === 'Late one');
    expect(rows).toEqual([expect.objectContaining({ syncState: 'synced' })]);
  });

  it('the reconciler leaves a create in flight alone', async () => {
    t.emulator.reset();
    t.emulator.faults = { ...noFaults(), latencyMs: 200, latencyPhase: 'before', latencyMethods: ['POST'] };
    const pending = t.request(t.owner.cookie, 'POST', '/assistants', assistantBody({ name: 'In flight' }));
    await sleep(60);
    await t.database.db
      .update(assistants)
      .set({ lastSyncedAt: null })
      .where(isNull(assistants.providerAssistantId));
    const report = await t.services.reconciler.runOnce();
    expect(report.busy).toBeGreaterThanOrEqual(1);
    const res = await pending;
    expect(res.statusCode).toBe(201);
    expect(t.emulator.assistants.size).toBe(1);
    expect(await unconfirmed()).toEqual([]);
  });
});
